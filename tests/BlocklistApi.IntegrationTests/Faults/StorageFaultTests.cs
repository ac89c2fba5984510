using System.Diagnostics;
using System.Net;
using System.Text.Json;
using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Storage;
using BlocklistApi.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BlocklistApi.IntegrationTests.Faults;

/// <summary>
/// What every storage fault test needs: an app with short budgets on its own storage, traffic of greylist checks and
/// reputation calls whose every answer is recorded, and the checks on those answers. Budgets are short so that a test
/// takes seconds; benchmarks/faults measures the defaults.
/// </summary>
public abstract class StorageFaultTestBase : IAsyncLifetime
{
    protected static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    // Each call must come back within its storage budget (1.5 s at most here) plus DNS; this bound only tells an answer
    // from a wait on storage (Storage:Timeout is 10 s here, and would be 30 s with three tries and no overall
    // deadline), with room for a loaded machine.
    protected static readonly TimeSpan s_answerBound = TimeSpan.FromSeconds(6);

    private readonly LoopbackDnsServer _dns = LoopbackDnsServer.Start();

    protected BlocklistApiApp App { get; private set; } = null!;

    protected BlocklistApiClient Client { get; private set; } = null!;

    protected BlocklistApiClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _dns.AddA("2.0.0.127.bl.test", "127.0.0.2", ttl: 60);
        _dns.AddA("9.2.0.192.bl.test", "127.0.0.2", ttl: 60);
        _dns.AddSoa("bl.test", minimum: 60);
        var settings = new Dictionary<string, string?>
        {
            ["Dnsbl:Zones:0:Zone"] = "bl.test",
            ["Dnsbl:Zones:0:Servers:0"] = _dns.Server,
            ["Storage:Timeout"] = "00:00:10",
            ["Storage:MaxRetries"] = "2",
            // Budgets short enough for a quick test, long enough that a loaded machine's Azurite answers within them.
            ["Greylist:StorageTimeout"] = "00:00:01.500",
            ["Greylist:StatsFlushInterval"] = "00:00:01",
            ["ReputationCache:StorageTimeout"] = "00:00:01",
            ["ReputationCache:MemoryTtl"] = "00:00:00",
            ["Lists:RefreshInterval"] = "00:00:00",
        };
        foreach (var (key, value) in Settings())
        {
            settings[key] = value;
        }

        App = new BlocklistApiApp(await StartStorageAsync(), settings);
        Client = App.Client();
        Admin = App.AdminClient();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await StopStorageAsync();
        await _dns.DisposeAsync();
    }

    /// <summary>The storage this class breaks.</summary>
    protected abstract Task<TestStorage> StartStorageAsync();

    protected virtual Task StopStorageAsync() => Task.CompletedTask;

    /// <summary>Settings of this class on top of the common ones.</summary>
    protected virtual IDictionary<string, string?> Settings() => new Dictionary<string, string?>();

    [Fact]
    public async Task StatsRowOfWrongTypes_FlusherThrowsUnexpectedly_HostKeepsServing()
    {
        await Client.CheckGreylistAsync(Check(NewRecipient()), Bounded());
        // A statistics row another version (or a person) wrote with a text where a count belongs: reading it throws
        // InvalidOperationException, which is no storage failure the flusher could expect.
        await App.Tables.UpsertAsync("Greylist", new TableRow("stats", "totals") { ["TripletsCreated"] = "many" }, Bounded());

        // Three flush intervals: the flusher meets the row at least twice.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var after = await Client.CheckGreylistAsync(Check(NewRecipient()), Bounded());

        Assert.Equal((GreylistReason.New, false), (after.Reason, after.Degraded));
        AssertHostRunning();
    }

    protected async Task WarmUpAsync()
    {
        await Admin.PutHostedListRangeEntryAsync(new HostedListEntryRequest { Reason = "Spam run" }, HostedListKind.Block, "198.51.100.0", 24, Bounded());
        var reputation = await Client.GetReputationAsync("198.51.100.7", Bounded());
        var greylist = await Client.CheckGreylistAsync(Check(NewRecipient()), Bounded());
        Assert.Equal((Verdict.Listed, false), (reputation.Verdict, reputation.Degraded));
        Assert.Equal((GreylistReason.New, false), (greylist.Reason, greylist.Degraded));
    }

    // Two clients (a greylist check and a reputation call at a time each) for the given time; every answer recorded.
    protected async Task<List<Answer>> TrafficAsync(TimeSpan duration)
    {
        var answers = new List<Answer>();
        var until = Stopwatch.StartNew();
        await Task.WhenAll(Loop(greylist: true), Loop(greylist: false));
        return answers;

        async Task Loop(bool greylist)
        {
            var n = 0;
            while (until.Elapsed < duration)
            {
                var clock = Stopwatch.StartNew();
                Answer answer;
                if (greylist)
                {
                    var verdict = await Client.CheckGreylistAsync(Check(NewRecipient()), Bounded());
                    answer = new Answer("greylist", clock.Elapsed, verdict.Degraded, verdict.Action == GreylistAction.Accept ? "accept" : verdict.Action.ToString());
                }
                else
                {
                    // Alternately an address on our hosted block list (read before the outage) and one a zone lists.
                    var ip = n++ % 2 == 0 ? "198.51.100.7" : "192.0.2.9";
                    var report = await Client.GetReputationAsync(ip, Bounded());
                    answer = new Answer("reputation " + ip, clock.Elapsed, report.Degraded, report.Verdict.ToString());
                }

                lock (answers)
                {
                    answers.Add(answer);
                }
            }
        }
    }

    protected static void AssertDegradedButServed(List<Answer> answers)
    {
        // The generated client throws for any status but 200: every answer here was a 200.
        Assert.Contains(answers, a => a.Route == "greylist");
        Assert.Contains(answers, a => a.Route.StartsWith("reputation", StringComparison.Ordinal));
        Assert.All(answers, a => Assert.True(a.Elapsed < s_answerBound, $"{a.Route} took {a.Elapsed}"));
        Assert.All(answers, a => Assert.True(a.Degraded, $"{a.Route} was not degraded"));
        Assert.All(answers.Where(a => a.Route == "greylist"), a => Assert.Equal("accept", a.Outcome));
        // The last hosted lists this instance read still decide, and zones still answer from DNS.
        Assert.All(answers.Where(a => a.Route.StartsWith("reputation", StringComparison.Ordinal)), a => Assert.Equal("Listed", a.Outcome));
    }

    protected async Task<(int Status, string? RetryAfter, TimeSpan Elapsed)> AdminCallAsync()
    {
        using var http = App.CreateClient();
        http.DefaultRequestHeaders.Add("x-functions-key", BlocklistApiApp.AdminKey);
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync(new Uri("/v1/lists/block/entries", UriKind.Relative), Bounded());
        return ((int)response.StatusCode, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), clock.Elapsed);
    }

    protected async Task<JsonElement> HealthAsync()
    {
        using var http = App.CreateClient();
        using var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative), Bounded());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Bounded())).RootElement.Clone();
    }

    // How long until both routes answer without "degraded" again.
    protected async Task<TimeSpan> RecoveryAsync()
    {
        var clock = Stopwatch.StartNew();
        await WaitForAsync(async () =>
        {
            var greylist = await Client.CheckGreylistAsync(Check(NewRecipient()), Bounded());
            var reputation = await Client.GetReputationAsync("192.0.2.9", Bounded());
            return greylist.Degraded || reputation.Degraded ? null : (object)true;
        });
        return clock.Elapsed;
    }

    protected void AssertHostRunning()
    {
        var lifetime = App.Services.GetRequiredService<IHostApplicationLifetime>();
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the host is stopping");
    }

    protected static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        while (true)
        {
            if (await probe() is { } result)
            {
                return result;
            }

            await Task.Delay(200, timeout.Token);
        }
    }

    protected static GreylistCheckRequest Check(string recipient) =>
        new() { ClientAddress = "203.0.113.5", Sender = "alice@example.com", Recipient = recipient };

    protected static string NewRecipient() => $"user{Guid.NewGuid():N}@example.net";

    protected static CancellationToken Bounded() => new CancellationTokenSource(s_timeout).Token;

    protected sealed record Answer(string Route, TimeSpan Elapsed, bool Degraded, string Outcome);
}

/// <summary>
/// Azure Table Storage that hangs (Azurite frozen with SIGSTOP) or is gone (killed), under continuous greylist and
/// reputation traffic: every call is answered 200 within its budget and says it is degraded, admin routes answer 503
/// with Retry-After, /healthz says which dependency, the host never stops, and answers are normal again after recovery.
/// </summary>
public sealed class StorageFaultTests : StorageFaultTestBase
{
    private AzuriteServer _azurite = null!;

    protected override async Task<TestStorage> StartStorageAsync()
    {
        _azurite = await AzuriteServer.StartAsync().WaitAsync(s_timeout);
        return TestStorage.On(_azurite);
    }

    protected override async Task StopStorageAsync() => await _azurite.DisposeAsync();

    [Fact]
    public async Task StorageFrozen_UnderTraffic_EveryCallAnsweredDegradedInTimeAndNormalAfterThaw()
    {
        await WarmUpAsync();

        _azurite.Freeze();
        var during = await TrafficAsync(TimeSpan.FromSeconds(4));
        var health = await HealthAsync();
        var admin = await AdminCallAsync();
        _azurite.Thaw();
        var recovery = await RecoveryAsync();

        AssertDegradedButServed(during);
        Assert.Equal("degraded", health.GetProperty("dependencies").GetProperty("storage").GetProperty("status").GetString());
        Assert.Equal(503, admin.Status);
        Assert.Equal("30", admin.RetryAfter);
        // Within Storage:Timeout (10 s), with room for a loaded machine; without the overall deadline it would be 30 s.
        Assert.True(admin.Elapsed < TimeSpan.FromSeconds(20), $"admin 503 took {admin.Elapsed}");
        Assert.True(recovery < TimeSpan.FromSeconds(20), $"recovered after {recovery}");
        Assert.Equal("healthy", (await HealthAsync()).GetProperty("status").GetString());
        AssertHostRunning();
    }

    [Fact]
    public async Task StorageKilled_UnderTraffic_EveryCallAnsweredDegradedAndNormalAfterRestart()
    {
        await WarmUpAsync();

        await _azurite.StopAsync().WaitAsync(s_timeout);
        var during = await TrafficAsync(TimeSpan.FromSeconds(3));
        var admin = await AdminCallAsync();
        await _azurite.RestartAsync().WaitAsync(s_timeout);
        var recovery = await RecoveryAsync();

        AssertDegradedButServed(during);
        Assert.Equal(503, admin.Status);
        Assert.Equal("30", admin.RetryAfter);
        Assert.True(recovery < TimeSpan.FromSeconds(20), $"recovered after {recovery}");
        AssertHostRunning();
    }

    [Fact]
    public async Task StorageFrozen_BackgroundLoopsFail_HostKeepsServingAndStatsArriveAfterThaw()
    {
        var recipient = NewRecipient();
        await Client.CheckGreylistAsync(Check(recipient), Bounded());

        // The stats flusher runs every second: with storage frozen for longer than Storage:Timeout it fails at least once.
        _azurite.Freeze();
        await Task.Delay(TimeSpan.FromSeconds(12));
        var duringFreeze = await Client.CheckGreylistAsync(Check(NewRecipient()), Bounded());
        _azurite.Thaw();

        Assert.True(duringFreeze.Degraded);
        AssertHostRunning();
        var stats = await WaitForAsync(async () =>
        {
            // Just thawed, Azurite first works through what every background loop sent while it was frozen (the
            // queue pumps of the whitelist and e-mail functions too): a 503 then is the route's right answer; ask again.
            try
            {
                var current = await Admin.GetGreylistStatsAsync(Bounded());
                return current.Checks.New >= 1 && current.DegradedAnswers >= 1 ? current : null;
            }
            catch (ApiException<ProblemDetails> unavailable) when (unavailable.StatusCode == 503)
            {
                return null;
            }
        });
        Assert.True(stats.Checks.New + stats.Checks.Trusted >= 2, $"{stats.Checks.New} new and {stats.Checks.Trusted} trusted checks counted");
    }
}
