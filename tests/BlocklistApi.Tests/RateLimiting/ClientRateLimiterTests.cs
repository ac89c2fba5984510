using BlocklistApi.Http;
using BlocklistApi.Net;
using BlocklistApi.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;

namespace BlocklistApi.Tests.RateLimiting;

public sealed class ClientRateLimiterTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void RateLimit_BurstOfTheMinutesPermits_IsAllowedThenRefusedWithRetryAfter()
    {
        var limiter = Limiter(new RateLimitOptions { PermitsPerMinute = 6 });

        for (var i = 0; i < 6; i++)
        {
            Assert.Null(limiter.TryAcquire(RateLimitPolicy.Api, "192.0.2.1"));
        }

        var retryAfter = limiter.TryAcquire(RateLimitPolicy.Api, "192.0.2.1");

        // Six a minute refill one every 10 s.
        Assert.Equal(TimeSpan.FromSeconds(10), retryAfter);
    }

    [Fact]
    public void RateLimit_AfterTheRetryAfter_OnePermitIsBack()
    {
        var limiter = Limiter(new RateLimitOptions { PermitsPerMinute = 6 });
        Exhaust(limiter, RateLimitPolicy.Api, "192.0.2.1", 6);

        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(TimeSpan.FromSeconds(1), limiter.TryAcquire(RateLimitPolicy.Api, "192.0.2.1"));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(limiter.TryAcquire(RateLimitPolicy.Api, "192.0.2.1"));
        Assert.NotNull(limiter.TryAcquire(RateLimitPolicy.Api, "192.0.2.1"));
    }

    [Fact]
    public void RateLimit_IdleForAMinute_RefillsToTheBurstButNoMore()
    {
        var limiter = Limiter(new RateLimitOptions { PermitsPerMinute = 3 });
        Exhaust(limiter, RateLimitPolicy.Api, "192.0.2.1", 3);

        _time.Advance(TimeSpan.FromHours(1));

        Exhaust(limiter, RateLimitPolicy.Api, "192.0.2.1", 3);
        Assert.NotNull(limiter.TryAcquire(RateLimitPolicy.Api, "192.0.2.1"));
    }

    [Fact]
    public void RateLimit_OtherClientsAndThePagePolicy_HaveTheirOwnBuckets()
    {
        var limiter = Limiter(new RateLimitOptions { PermitsPerMinute = 1, PagePermitsPerMinute = 2 });
        Exhaust(limiter, RateLimitPolicy.Api, "192.0.2.1", 1);

        Assert.NotNull(limiter.TryAcquire(RateLimitPolicy.Api, "192.0.2.1"));
        Assert.Null(limiter.TryAcquire(RateLimitPolicy.Api, "192.0.2.2"));
        Assert.Null(limiter.TryAcquire(RateLimitPolicy.Page, "192.0.2.1"));
        Assert.Null(limiter.TryAcquire(RateLimitPolicy.Page, "192.0.2.1"));
        Assert.NotNull(limiter.TryAcquire(RateLimitPolicy.Page, "192.0.2.1"));
    }

    [Fact]
    public void RateLimit_TrackedClientsFull_DropsRefilledBucketsAndKeepsLimitingActiveOnes()
    {
        var limiter = Limiter(new RateLimitOptions { PermitsPerMinute = 1, MaxTrackedClients = 100 });
        Exhaust(limiter, RateLimitPolicy.Api, "198.51.100.1", 1);
        for (var i = 0; i < 99; i++)
        {
            limiter.TryAcquire(RateLimitPolicy.Page, $"192.0.2.{i}");
        }

        // The page buckets (60 a minute) refill within a second; the API bucket of 198.51.100.1 needs a minute.
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(limiter.TryAcquire(RateLimitPolicy.Api, "203.0.113.1"));

        Assert.NotNull(limiter.TryAcquire(RateLimitPolicy.Api, "198.51.100.1"));
    }

    [Fact]
    public void ClientKey_Ipv6_IsCountedPerSlash64()
    {
        var limiter = Limiter(new RateLimitOptions());

        Assert.Equal("2001:db8:1:2::/64", limiter.ClientKey(Parse("2001:db8:1:2:aaaa::1"), StringValues.Empty));
        Assert.Equal(limiter.ClientKey(Parse("2001:db8:1:2::5"), StringValues.Empty), limiter.ClientKey(Parse("2001:db8:1:2:ffff::9"), StringValues.Empty));
    }

    [Fact]
    public void ClientKey_Ipv4MappedAndMissingAddress_AreNormalized()
    {
        var limiter = Limiter(new RateLimitOptions());

        Assert.Equal("192.0.2.7", limiter.ClientKey(Parse("192.0.2.7").MapToIPv6(), StringValues.Empty));
        Assert.Equal("unknown", limiter.ClientKey(null, StringValues.Empty));
    }

    [Fact]
    public void ClientKey_ForwardedForWithoutTrustedProxies_IsIgnored()
    {
        var limiter = Limiter(new RateLimitOptions());

        Assert.Equal("127.0.0.1", limiter.ClientKey(Parse("127.0.0.1"), "198.51.100.9"));
    }

    [Fact]
    public void ClientKey_ForwardedForFromTrustedProxy_IsReadFromTheRightSkippingTrustedHops()
    {
        var limiter = Limiter(new RateLimitOptions { TrustedProxies = ["10.0.0.0/8"] });

        // The client may send any X-Forwarded-For; only what our proxies appended counts.
        Assert.Equal("198.51.100.9", limiter.ClientKey(Parse("10.0.0.5"), "6.6.6.6, 198.51.100.9:51234, 10.1.1.1"));
        Assert.Equal("198.51.100.9", limiter.ClientKey(Parse("10.0.0.5"), new StringValues(["6.6.6.6", "198.51.100.9"])));
        Assert.Equal("2001:db8:9::/64", limiter.ClientKey(Parse("10.0.0.5"), "[2001:db8:9::1]:443"));
    }

    [Fact]
    public void ClientKey_FrontDoorStyleHeader_IsReadWhenConfigured()
    {
        var limiter = Limiter(new RateLimitOptions { TrustedProxies = ["147.243.0.0/16"], ForwardedForHeader = "X-Azure-ClientIP" });

        Assert.Equal("198.51.100.9", limiter.ClientKey(Parse("147.243.1.1"), "198.51.100.9"));
    }

    [Fact]
    public void ClientKey_UnreadableForwardedFor_CountsAgainstTheProxy()
    {
        var limiter = Limiter(new RateLimitOptions { TrustedProxies = ["10.0.0.5"] });

        Assert.Equal("10.0.0.5", limiter.ClientKey(Parse("10.0.0.5"), "unknown"));
        Assert.Equal("10.0.0.5", limiter.ClientKey(Parse("10.0.0.5"), "0x7f.1"));
    }

    [Fact]
    public void ClientKey_ConnectionFromUntrustedAddress_IgnoresItsForwardedFor()
    {
        var limiter = Limiter(new RateLimitOptions { TrustedProxies = ["10.0.0.0/8"] });

        Assert.Equal("203.0.113.50", limiter.ClientKey(Parse("203.0.113.50"), "10.0.0.1"));
    }

    [Theory]
    [InlineData(0.2, 1)]
    [InlineData(1.0, 1)]
    [InlineData(9.01, 10)]
    public void RetryAfter_IsWholeSecondsRoundedUpAndAtLeastOne(double seconds, int expected)
    {
        Assert.Equal(expected, RetryAfterProblemResult.TooManyRequests(TimeSpan.FromSeconds(seconds)).RetryAfterSeconds);
    }

    [Fact]
    public void Startup_DefaultRateLimitOptions_AreValid()
    {
        Assert.True(new RateLimitOptionsValidator().Validate(null, new RateLimitOptions()).Succeeded);
    }

    [Theory]
    [InlineData("PermitsPerMinute", "0", "RateLimit:PermitsPerMinute")]
    [InlineData("PagePermitsPerMinute", "2000000", "RateLimit:PagePermitsPerMinute")]
    [InlineData("Ipv6PrefixLength", "129", "RateLimit:Ipv6PrefixLength")]
    [InlineData("TrustedProxies", "10.0.0.1/8", "RateLimit:TrustedProxies:0")]
    [InlineData("TrustedProxies", "proxy.example", "RateLimit:TrustedProxies:0")]
    [InlineData("MaxTrackedClients", "10", "RateLimit:MaxTrackedClients")]
    [InlineData("ForwardedForHeader", "X Forwarded", "RateLimit:ForwardedForHeader")]
    public void Startup_BadRateLimitSetting_FailsNamingTheKey(string property, string value, string key)
    {
        var options = new RateLimitOptions();
        var number = int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;
        switch (property)
        {
            case "PermitsPerMinute": options.PermitsPerMinute = number; break;
            case "PagePermitsPerMinute": options.PagePermitsPerMinute = number; break;
            case "Ipv6PrefixLength": options.Ipv6PrefixLength = number; break;
            case "TrustedProxies": options.TrustedProxies = [value]; break;
            case "ForwardedForHeader": options.ForwardedForHeader = value; break;
            default: options.MaxTrackedClients = number; break;
        }

        var result = new RateLimitOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }

    private ClientRateLimiter Limiter(RateLimitOptions options) => new(Options.Create(options), _time, NullLogger<ClientRateLimiter>.Instance);

    private static void Exhaust(ClientRateLimiter limiter, RateLimitPolicy policy, string client, int permits)
    {
        for (var i = 0; i < permits; i++)
        {
            Assert.Null(limiter.TryAcquire(policy, client));
        }
    }

    private static System.Net.IPAddress Parse(string text) => IpAddressParser.ParseOrNull(text)!;
}
