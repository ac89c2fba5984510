using BlocklistApi.Client;
using BlocklistApi.Storage;

namespace BlocklistApi.IntegrationTests.Greylist;

/// <summary>One self-host with a one-minute delay and fake time, shared by the tests of a class (each uses its own triplets).</summary>
public abstract class GreylistAppFixture(StorageProvider provider) : IAsyncLifetime
{
    public GreylistHarness Harness { get; private set; } = null!;

    public async Task InitializeAsync() => Harness = await GreylistHarness.StartAsync(provider, new Dictionary<string, string?>
    {
        ["Greylist:Delay"] = "00:01:00",
        ["PublicPage:Url"] = "https://blocklist.example/greylisting",
    });

    public async Task DisposeAsync() => await Harness.DisposeAsync();
}

public sealed class AzuriteGreylistAppFixture() : GreylistAppFixture(StorageProvider.Azure);

public sealed class SqliteGreylistAppFixture() : GreylistAppFixture(StorageProvider.Sqlite);

/// <summary>POST /v1/greylist/check through the generated client: the triplet rules of issue 3, on either provider, with fake time.</summary>
public abstract class GreylistApiTests(GreylistAppFixture fixture)
{
    private const string Sender = "alice@example.com";
    private readonly GreylistHarness _g = fixture.Harness;

    [Fact]
    public async Task GreylistCheck_NewThenTooEarlyThenPassedThenKnown()
    {
        var recipient = GreylistHarness.NewRecipient();

        var first = await _g.CheckAsync("192.0.2.10", Sender, recipient);
        _g.Advance(TimeSpan.FromSeconds(20));
        var early = await _g.CheckAsync("192.0.2.10", Sender, recipient);
        _g.Advance(TimeSpan.FromSeconds(40));
        var passed = await _g.CheckAsync("192.0.2.10", Sender, recipient);
        _g.Advance(TimeSpan.FromSeconds(1));
        var known = await _g.CheckAsync("192.0.2.10", Sender, recipient);

        Assert.Equal((GreylistAction.Defer, GreylistReason.New, 60), (first.Action, first.Reason, first.RetryAfterSeconds));
        Assert.Equal((GreylistAction.Defer, GreylistReason.TooEarly, 40), (early.Action, early.Reason, early.RetryAfterSeconds));
        Assert.Equal((GreylistAction.Accept, GreylistReason.Passed, 0), (passed.Action, passed.Reason, passed.RetryAfterSeconds));
        Assert.Equal((GreylistAction.Accept, GreylistReason.Known), (known.Action, known.Reason));
        Assert.Null(known.SmtpReply);
        Assert.False(known.Degraded);
    }

    [Fact]
    public async Task GreylistCheck_Defer_SmtpReplySaysWhenAndWhere()
    {
        var verdict = await _g.CheckAsync("192.0.2.11", Sender, GreylistHarness.NewRecipient());

        var expectedAt = (_g.Time!.GetUtcNow() + TimeSpan.FromMinutes(1)).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        Assert.StartsWith("451 4.7.1 ", verdict.SmtpReply, StringComparison.Ordinal);
        Assert.Contains("60 seconds", verdict.SmtpReply, StringComparison.Ordinal);
        Assert.Contains(expectedAt + " UTC", verdict.SmtpReply, StringComparison.Ordinal);
        Assert.Contains("https://blocklist.example/greylisting", verdict.SmtpReply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GreylistCheck_RetryFromAnotherAddressOfTheSubnet_Passes()
    {
        var recipient = GreylistHarness.NewRecipient();

        await _g.CheckAsync("198.51.100.7", Sender, recipient);
        _g.Advance(TimeSpan.FromMinutes(2));
        var retry = await _g.CheckAsync("198.51.100.200", Sender, recipient);

        Assert.Equal(GreylistReason.Passed, retry.Reason);
    }

    [Fact]
    public async Task GreylistCheck_RetryFromAnotherNetwork_IsNew()
    {
        var recipient = GreylistHarness.NewRecipient();

        await _g.CheckAsync("198.51.100.7", Sender, recipient);
        _g.Advance(TimeSpan.FromMinutes(2));
        // Outside 203.0.113.0/28, which another test of this class puts on the hosted allow list.
        var retry = await _g.CheckAsync("203.0.113.77", Sender, recipient);

        Assert.Equal(GreylistReason.New, retry.Reason);
    }

    [Fact]
    public async Task GreylistCheck_Ipv6RetryWithinTheSlash64_PassesAndOutsideIsNew()
    {
        var recipient = GreylistHarness.NewRecipient();

        await _g.CheckAsync("2001:db8:1:2::25", Sender, recipient);
        _g.Advance(TimeSpan.FromMinutes(2));
        var sameNetwork = await _g.CheckAsync("2001:DB8:1:2:ffff::1", Sender, recipient);
        var otherNetwork = await _g.CheckAsync("2001:db8:1:3::25", Sender, recipient);

        Assert.Equal(GreylistReason.Passed, sameNetwork.Reason);
        Assert.Equal(GreylistReason.New, otherNetwork.Reason);
    }

    [Fact]
    public async Task GreylistCheck_Ipv4MappedIpv6_IsTheIpv4Client()
    {
        var recipient = GreylistHarness.NewRecipient();

        await _g.CheckAsync("192.0.2.50", Sender, recipient);
        _g.Advance(TimeSpan.FromMinutes(2));
        var retry = await _g.CheckAsync("::ffff:192.0.2.51", Sender, recipient);

        Assert.Equal(GreylistReason.Passed, retry.Reason);
    }

    [Theory]
    [InlineData("Alice@Example.COM", "alice@example.com")]
    [InlineData("prvs=0123abcdef=alice@example.com", "prvs=0456fedcba=alice@example.com")]
    [InlineData("SRS0=HaSh=T1=orig.example=alice@fwd.example", "SRS0=oThEr=T2=orig.example=alice@fwd.example")]
    [InlineData("bounces+1234-bob=example.net@lists.example", "bounces+9876-bob=example.net@lists.example")]
    [InlineData("newsletter-123456@mail.example", "newsletter-654321@mail.example")]
    [InlineData("", "<>")]
    public async Task GreylistCheck_PerMessageSenderParts_DoNotMakeANewTriplet(string firstSender, string retrySender)
    {
        var recipient = GreylistHarness.NewRecipient();

        await _g.CheckAsync("192.0.2.60", firstSender, recipient);
        _g.Advance(TimeSpan.FromMinutes(2));
        var retry = await _g.CheckAsync("192.0.2.60", retrySender, recipient.ToUpperInvariant());

        Assert.Equal(GreylistReason.Passed, retry.Reason);
    }

    [Fact]
    public async Task GreylistCheck_NullSender_IsGreylistedLikeAnyTriplet()
    {
        var recipient = GreylistHarness.NewRecipient();

        var bounce = await _g.CheckAsync("192.0.2.61", "", recipient);
        var other = await _g.CheckAsync("192.0.2.61", "carol@example.com", recipient);

        Assert.Equal(GreylistReason.New, bounce.Reason);
        Assert.Equal(GreylistReason.New, other.Reason);
    }

    [Fact]
    public async Task GreylistCheck_FirstRetryAfterRetryWindow_StartsOver()
    {
        var recipient = GreylistHarness.NewRecipient();

        await _g.CheckAsync("192.0.2.70", Sender, recipient);
        _g.Advance(TimeSpan.FromDays(2) + TimeSpan.FromMinutes(1));
        var late = await _g.CheckAsync("192.0.2.70", Sender, recipient);
        _g.Advance(TimeSpan.FromMinutes(1));
        var retry = await _g.CheckAsync("192.0.2.70", Sender, recipient);

        Assert.Equal(GreylistReason.New, late.Reason);
        Assert.Equal(GreylistReason.Passed, retry.Reason);
    }

    [Fact]
    public async Task GreylistCheck_KnownTripletUnseenPastMaxAge_IsForgotten()
    {
        var recipient = GreylistHarness.NewRecipient();
        await _g.CheckAsync("192.0.2.80", Sender, recipient);
        _g.Advance(TimeSpan.FromMinutes(1));
        await _g.CheckAsync("192.0.2.80", Sender, recipient);

        _g.Advance(TimeSpan.FromDays(34));
        var stillKnown = await _g.CheckAsync("192.0.2.80", Sender, recipient);
        _g.Advance(TimeSpan.FromDays(35) + TimeSpan.FromMinutes(1));
        var forgotten = await _g.CheckAsync("192.0.2.80", Sender, recipient);

        Assert.Equal(GreylistReason.Known, stillKnown.Reason);
        Assert.Equal(GreylistReason.New, forgotten.Reason);
    }

    [Theory]
    [InlineData("postmaster@example.net")]
    [InlineData("Abuse+reports@example.org")]
    public async Task GreylistCheck_PostgreyDefaultRecipientOptOuts_AreWhitelisted(string recipient)
    {
        var verdict = await _g.CheckAsync("192.0.2.90", Sender, recipient);

        Assert.Equal((GreylistAction.Accept, GreylistReason.Whitelisted), (verdict.Action, verdict.Reason));
    }

    [Fact]
    public async Task GreylistCheck_HostedAllowListRange_IsWhitelisted()
    {
        await _g.Admin.PutHostedListRangeEntryAsync(new HostedListEntryRequest { Reason = "partner MTA" }, HostedListKind.Allow, "203.0.113.0", 28, GreylistHarness.Bounded());

        var allowed = await _g.CheckAsync("203.0.113.9", Sender, GreylistHarness.NewRecipient());
        var outside = await _g.CheckAsync("203.0.113.20", Sender, GreylistHarness.NewRecipient());

        Assert.Equal(GreylistReason.Whitelisted, allowed.Reason);
        Assert.Equal(GreylistReason.New, outside.Reason);
    }

    [Fact]
    public async Task GreylistCheck_KnownTriplet_IsOneRowNotRewrittenWithinRefreshInterval()
    {
        var recipient = GreylistHarness.NewRecipient();
        var keys = GreylistHarness.KeysFor("192.0.2.100", 24, Sender, recipient);
        await _g.CheckAsync("192.0.2.100", Sender, recipient);
        _g.Advance(TimeSpan.FromMinutes(1));
        await _g.CheckAsync("192.0.2.100", Sender, recipient);
        var row = (await _g.RowAsync(keys.PartitionKey, keys.RowKey))!;

        for (var i = 0; i < 5; i++)
        {
            _g.Advance(TimeSpan.FromMinutes(30));
            Assert.Equal(GreylistReason.Known, (await _g.CheckAsync("192.0.2.100", Sender, recipient)).Reason);
        }

        var after = (await _g.RowAsync(keys.PartitionKey, keys.RowKey))!;
        Assert.Equal(row.ETag, after.ETag);
        Assert.Equal("passed", after.GetString("State"));
        // Addresses are hashed into the keys (postgrey --privacy): no e-mail address is stored.
        Assert.DoesNotContain("@", after.RowKey + string.Concat(after.Properties.Values), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.2.3", "a@example.com", "b@example.net", "clientAddress")]
    [InlineData("0x7f.0.0.1", "a@example.com", "b@example.net", "clientAddress")]
    [InlineData("fe80::1%eth0", "a@example.com", "b@example.net", "clientAddress")]
    [InlineData("192.0.2.1", "a@example.com", "", "recipient")]
    [InlineData("192.0.2.1", "@example.com", "b@example.net", "sender")]
    public async Task GreylistCheck_MalformedRequest_Is400ProblemNamingTheField(string address, string sender, string recipient, string field)
    {
        var error = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => _g.CheckAsync(address, sender, recipient));

        Assert.Equal(400, error.StatusCode);
        Assert.Contains(field, error.Result.Detail, StringComparison.Ordinal);
        var named = Assert.Single(error.Result.Errors!);
        Assert.Equal(field, named.Key);
        Assert.Equal(error.Result.Detail, Assert.Single(named.Value));
    }

    [Fact]
    public async Task GreylistCheck_WithoutKey_Is401()
    {
        var anonymous = _g.App.Client(key: null);

        var error = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() =>
            anonymous.CheckGreylistAsync(new GreylistCheckRequest { ClientAddress = "192.0.2.1", Sender = "a@example.com", Recipient = "b@example.net" }, GreylistHarness.Bounded()));

        Assert.Equal(401, error.StatusCode);
    }

    [Fact]
    public async Task GreylistStats_FunctionKey_Is401()
    {
        var error = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => _g.Client.GetGreylistStatsAsync(GreylistHarness.Bounded()));

        Assert.Equal(401, error.StatusCode);
    }
}

public sealed class GreylistApiAzuriteTests(AzuriteGreylistAppFixture fixture) : GreylistApiTests(fixture), IClassFixture<AzuriteGreylistAppFixture>;

public sealed class GreylistApiSqliteTests(SqliteGreylistAppFixture fixture) : GreylistApiTests(fixture), IClassFixture<SqliteGreylistAppFixture>;
