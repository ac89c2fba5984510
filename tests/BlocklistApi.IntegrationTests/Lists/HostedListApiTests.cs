using System.Net;
using System.Text;
using System.Text.Json;
using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.IntegrationTests.Reputation;
using BlocklistApi.Storage;
using BlocklistApi.Testing;
using Microsoft.Extensions.Time.Testing;

namespace BlocklistApi.IntegrationTests.Lists;

/// <summary>Our hosted block and allow lists through the admin routes, and their effect on reputation verdicts.</summary>
public abstract class HostedListApiTests(StorageProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private RbldnsdServer? _rbldnsd;
    private BlocklistApiApp? _app;
    private string? _skip;

    public async Task InitializeAsync()
    {
        _skip = Peers.SkipReason(RbldnsdServer.Unavailable);
        if (_skip is not null)
        {
            return;
        }

        _rbldnsd = await RbldnsdServer.StartAsync(ReputationZones.BlockV4, ReputationZones.BlockV6, ReputationZones.Dnswl);
        _app = new BlocklistApiApp(await TestStorage.SharedAsync(provider), new Dictionary<string, string?>
        {
            ["Dns:Servers:0"] = _rbldnsd.Server,
            ["Dnsbl:Zones:0:Zone"] = "bl.test",
            ["Dnsbl:Zones:1:Zone"] = "list.dnswl.org",
            ["Dnsbl:Zones:1:Kind"] = "allow",
        }, _time);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_rbldnsd is not null)
        {
            await _rbldnsd.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task AllowRange_OverridesBlockZoneListing_AtOnce()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var (client, admin) = Clients();

        var before = await client.GetReputationAsync("198.51.100.7", cts.Token);
        await admin.PutHostedListRangeEntryAsync(new HostedListEntryRequest { Reason = "Approved whitelist request #12" }, HostedListKind.Allow, "198.51.100.0", 24, cts.Token);
        var after = await client.GetReputationAsync("198.51.100.7", cts.Token);

        Assert.Equal(Verdict.Listed, before.Verdict);
        Assert.Equal(Verdict.Whitelisted, after.Verdict);
        Assert.True(after.Listings.Single(l => l.Zone == "bl.test").Listed);
        Assert.Equal(HostedListKind.Allow, after.LocalListing!.List);
        Assert.Equal("198.51.100.0/24", after.LocalListing.Range);
        Assert.Equal("Approved whitelist request #12", after.LocalListing.Reason);
    }

    [SkippableFact]
    public async Task BlockRange_WinsOverAllowZone()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var (client, admin) = Clients();

        var before = await client.GetReputationAsync("192.0.2.40", cts.Token);
        await admin.PutHostedListRangeEntryAsync(new HostedListEntryRequest { Reason = "Spam run 2026-11-27" }, HostedListKind.Block, "192.0.2.32", 28, cts.Token);
        var after = await client.GetReputationAsync("192.0.2.40", cts.Token);

        Assert.Equal(Verdict.Whitelisted, before.Verdict);
        Assert.Equal(Verdict.Listed, after.Verdict);
        Assert.Equal("192.0.2.32/28", after.LocalListing!.Range);
    }

    [SkippableFact]
    public async Task AllowEntry_WinsOverOverlappingBlockEntry()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var (client, admin) = Clients();

        await admin.PutHostedListRangeEntryAsync(new HostedListEntryRequest { Reason = "Bad neighbourhood" }, HostedListKind.Block, "203.0.113.0", 24, cts.Token);
        await admin.PutHostedListEntryAsync(new HostedListEntryRequest { Reason = "Customer relay" }, HostedListKind.Allow, "203.0.113.5", cts.Token);

        var allowed = await client.GetReputationAsync("203.0.113.5", cts.Token);
        var blocked = await client.GetReputationAsync("203.0.113.6", cts.Token);

        Assert.Equal(Verdict.Whitelisted, allowed.Verdict);
        Assert.Equal("203.0.113.5/32", allowed.LocalListing!.Range);
        Assert.Equal(Verdict.Listed, blocked.Verdict);
        Assert.Equal("203.0.113.0/24", blocked.LocalListing!.Range);
    }

    [SkippableFact]
    public async Task IPv6BlockRange_ListsAddressesInside()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var (client, admin) = Clients();

        await admin.PutHostedListRangeEntryAsync(new HostedListEntryRequest { Reason = "IPv6 spam" }, HostedListKind.Block, "2001:db8:beef::", 48, cts.Token);

        var inside = await client.GetReputationAsync("2001:db8:beef:1::25", cts.Token);
        var outside = await client.GetReputationAsync("2001:db8:bef0::25", cts.Token);

        Assert.Equal(Verdict.Listed, inside.Verdict);
        Assert.Equal("2001:db8:beef::/48", inside.LocalListing!.Range);
        Assert.Equal(Verdict.Clean, outside.Verdict);
        Assert.Null(outside.LocalListing);
    }

    [SkippableFact]
    public async Task EntryWrittenByAnotherInstance_CountsAfterRefreshInterval()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var (client, _) = Clients();
        await using var other = new BlocklistApiApp(_app!.Storage, new Dictionary<string, string?>(), _time, namePrefix: _app!.NamePrefix);

        var before = await client.GetReputationAsync("192.0.2.160", cts.Token);
        await other.AdminClient().PutHostedListEntryAsync(new HostedListEntryRequest { Reason = "Written elsewhere" }, HostedListKind.Block, "192.0.2.160", cts.Token);
        _time.Advance(TimeSpan.FromSeconds(1));
        var after = await client.GetReputationAsync("192.0.2.160", cts.Token);

        Assert.Equal(Verdict.Clean, before.Verdict);
        Assert.Equal(Verdict.Listed, after.Verdict);
        Assert.Equal("Written elsewhere", after.LocalListing!.Reason);
    }

    [SkippableFact]
    public async Task Entry_AfterExpiry_NoLongerCounts()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var (client, admin) = Clients();

        await admin.PutHostedListEntryAsync(
            new HostedListEntryRequest { Reason = "Temporary block", ExpiresAt = _time.GetUtcNow().AddHours(1) },
            HostedListKind.Block, "192.0.2.150", cts.Token);
        var during = await client.GetReputationAsync("192.0.2.150", cts.Token);
        _time.Advance(TimeSpan.FromHours(1));
        var after = await client.GetReputationAsync("192.0.2.150", cts.Token);

        Assert.Equal(Verdict.Listed, during.Verdict);
        Assert.Equal(Verdict.Clean, after.Verdict);
    }

    [SkippableFact]
    public async Task Entry_PutGetListReplaceDelete_RoundTrips()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var (client, admin) = Clients();

        var created = await admin.PutHostedListRangeEntryAsync(new HostedListEntryRequest { Reason = "first" }, HostedListKind.Block, "192.0.2.128", 25, cts.Token);
        _time.Advance(TimeSpan.FromMinutes(5));
        var replaced = await admin.PutHostedListRangeEntryAsync(new HostedListEntryRequest { Reason = "second" }, HostedListKind.Block, "192.0.2.128", 25, cts.Token);
        var fetched = await admin.GetHostedListRangeEntryAsync(HostedListKind.Block, "192.0.2.128", 25, cts.Token);
        var all = await admin.ListHostedListEntriesAsync(HostedListKind.Block, cts.Token);
        var listed = await client.GetReputationAsync("192.0.2.200", cts.Token);
        await admin.DeleteHostedListRangeEntryAsync(HostedListKind.Block, "192.0.2.128", 25, cts.Token);
        var gone = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => admin.GetHostedListRangeEntryAsync(HostedListKind.Block, "192.0.2.128", 25, cts.Token));
        var clean = await client.GetReputationAsync("192.0.2.200", cts.Token);

        Assert.Equal("first", created.Reason);
        Assert.Equal("second", replaced.Reason);
        Assert.Equal(created.CreatedAt, replaced.CreatedAt);
        Assert.True(replaced.UpdatedAt > created.UpdatedAt);
        Assert.Equal("second", fetched.Reason);
        Assert.Contains(all.Entries, e => e.Range == "192.0.2.128/25");
        Assert.Equal(Verdict.Listed, listed.Verdict);
        Assert.Equal(404, gone.StatusCode);
        Assert.Equal(Verdict.Clean, clean.Verdict);
    }

    [SkippableTheory]
    [InlineData("10.0.0.5", 24, "did you mean 10.0.0.0/24")]
    [InlineData("10.0.0.0", 33, "prefix length above 32")]
    [InlineData("2001:db8::", 129, "prefix length above 128")]
    [InlineData("10.0.0", 24, "four dot-separated")]
    public async Task Entry_InvalidRange_Returns400NamingTheProblem(string address, int prefixLength, string expected)
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var (_, admin) = Clients();

        var error = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() =>
            admin.PutHostedListRangeEntryAsync(new HostedListEntryRequest { Reason = "x" }, HostedListKind.Block, address, prefixLength, cts.Token));

        Assert.Equal(400, error.StatusCode);
        Assert.Contains(expected, error.Result.Detail);
        // A range's problem is about address and prefix length together, so no single parameter is named.
        Assert.Null(error.Result.Errors);
    }

    [SkippableFact]
    public async Task Entry_MissingReasonOrPastExpiry_Returns400()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var (_, admin) = Clients();

        var noReason = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() =>
            admin.PutHostedListEntryAsync(new HostedListEntryRequest { Reason = " " }, HostedListKind.Allow, "192.0.2.1", cts.Token));
        var past = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() =>
            admin.PutHostedListEntryAsync(new HostedListEntryRequest { Reason = "x", ExpiresAt = _time.GetUtcNow().AddMinutes(-1) }, HostedListKind.Allow, "192.0.2.1", cts.Token));

        Assert.Equal(400, noReason.StatusCode);
        Assert.Contains("'reason' is required", noReason.Result.Detail);
        Assert.Equal("reason", Assert.Single(noReason.Result.Errors!).Key);
        Assert.Equal(400, past.StatusCode);
        Assert.Contains("not in the future", past.Result.Detail);
        Assert.Equal("expiresAt", Assert.Single(past.Result.Errors!).Key);
    }

    [SkippableFact]
    public async Task Entry_UnknownList_Returns404ProblemNamingTheLists()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        Skip.If(_skip is not null, _skip);
        using var http = _app!.CreateClient();
        http.DefaultRequestHeaders.Add("x-functions-key", BlocklistApiApp.AdminKey);

        using var response = await http.GetAsync(new Uri("/v1/lists/grey/entries", UriKind.Relative), cts.Token);

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("the lists are 'block' and 'allow'", await response.Content.ReadAsStringAsync(cts.Token));
    }

    [SkippableFact]
    public async Task Entry_BodyFieldOfTheWrongType_Returns400NamingTheField()
    {
        // The generated client cannot send a wrong type, so this one request is written by hand.
        Skip.If(_skip is not null, _skip);
        using var cts = new CancellationTokenSource(s_timeout);
        using var http = _app!.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri("/v1/lists/block/entries/192.0.2.1", UriKind.Relative))
        {
            Content = new StringContent("""{"reason":"x","expiresAt":"next week"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-functions-key", BlocklistApiApp.AdminKey);

        using var response = await http.SendAsync(request, cts.Token);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cts.Token));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = problem.RootElement.GetProperty("detail").GetString();
        Assert.Contains("at $.expiresAt", detail, StringComparison.Ordinal);
        Assert.Equal(detail, Assert.Single(problem.RootElement.GetProperty("errors").GetProperty("expiresAt").EnumerateArray()).GetString());
    }

    private (BlocklistApiClient Client, BlocklistApiClient Admin) Clients()
    {
        Skip.If(_skip is not null, _skip);
        return (_app!.Client(), _app.AdminClient());
    }
}

public sealed class HostedListApiAzuriteTests() : HostedListApiTests(StorageProvider.Azure);

public sealed class HostedListApiSqliteTests() : HostedListApiTests(StorageProvider.Sqlite);
