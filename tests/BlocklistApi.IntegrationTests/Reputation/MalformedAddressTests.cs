using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;

namespace BlocklistApi.IntegrationTests.Reputation;

/// <summary>Every non-standard address form is refused with 400 problem+json naming the problem (SSRF filters are fooled with these).</summary>
public sealed class MalformedAddressTests : IAsyncLifetime
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private BlocklistApiApp _app = null!;

    public async Task InitializeAsync() =>
        _app = new BlocklistApiApp(await AzuriteServer.Shared, new Dictionary<string, string?>());

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("1.2.3", "four dot-separated")]
    [InlineData("2130706433", "four dot-separated")]
    [InlineData("0x7f.1", "four dot-separated")]
    [InlineData("0x7f.0.0.1", "decimal number")]
    [InlineData("01.02.03.04", "leading zero")]
    [InlineData("127.000.000.001", "leading zero")]
    [InlineData("256.1.1.1", "0 to 255")]
    [InlineData("1.2.3.4.5", "more than four parts")]
    [InlineData("1.2.3.4:25", "port")]
    [InlineData("[2001:db8::1]", "brackets")]
    [InlineData("fe80::1%eth0", "zone id")]
    [InlineData("fe80::1%25eth0", "zone id")]
    [InlineData("2001:db8::1::2", "'::' may appear only once")]
    [InlineData("2001:db8:::1", "'::' may appear only once")]
    [InlineData("12345::1", "one to four hex digits")]
    [InlineData("1:2:3:4:5:6:7:8:9", "more than eight groups")]
    [InlineData("not-an-ip", "four dot-separated")]
    [InlineData(" 1.2.3.4", "decimal number")]
    public async Task Reputation_MalformedAddress_Returns400ProblemNamingIt(string ip, string expected)
    {
        using var cts = new CancellationTokenSource(s_timeout);

        var error = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => _app.Client().GetReputationAsync(ip, cts.Token));

        Assert.Equal(400, error.StatusCode);
        Assert.Contains(expected, error.Result.Detail);
        Assert.Equal("ip", Assert.Single(error.Result.Errors!).Key);
    }

    [Fact]
    public async Task Reputation_PrefixLength_Returns400()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        using var http = _app.CreateClient();
        http.DefaultRequestHeaders.Add("x-functions-key", BlocklistApiApp.FunctionKey);

        using var response = await http.GetAsync(new Uri("/v1/reputation/10.0.0.0%2F8", UriKind.Relative), cts.Token);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("prefix length", await response.Content.ReadAsStringAsync(cts.Token));
    }
}
