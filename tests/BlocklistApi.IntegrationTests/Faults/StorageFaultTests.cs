using System.Diagnostics;
using System.Net;
using System.Text.Json;
using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BlocklistApi.IntegrationTests.Faults;

/// <summary>
/// A storage that hangs (Azurite frozen with SIGSTOP) or is gone (killed), under continuous greylist and reputation
/// traffic: every call is answered 200 within its budget and says it is degraded, admin routes answer 503 with
/// Retry-After, /healthz says which dependency, the host never stops, and answers are normal again after recovery.
/// Budgets are short here so that the test takes seconds; benchmarks/faults measures the defaults.
/// </summary>
public sealed class StorageFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    // Each call must come back within its storage budget plus DNS; this bound only tells an answer from a wait on
    // storage (which would be Storage:Timeout 4 s, times three tries without the overall deadline), with room for a
    // loaded machine.
    private static readonly TimeSpan s_answerBound = TimeSpan.FromSeconds(3.5);

    private readonly LoopbackDnsServer _dns = LoopbackDnsServer.Start();
    private AzuriteServer _azurite = null!;
    private BlocklistApiApp _app = null!;
    private BlocklistApiClient _client = null!;
    private BlocklistApiClient _admin = null!;

    public async Task InitializeAsync()
    {
        _dns.AddA("2.0.0.127.bl.test", "127.0.0.2", ttl: 60);
        _dns.AddA("9.2.0.192.bl.test", "127.0.0.2", ttl: 60);
        _dns.AddSoa("bl.test", minimum: 60);
        _azurite = await AzuriteServer.StartAsync().WaitAsync(s_timeout);
        _app = new BlocklistApiApp(_azurite, new Dictionary<string, string?>
        {
            ["Dnsbl:Zones:0:Zone"] = "bl.test",
            ["Dnsbl:Zones:0:Servers:0"] = _dns.Server,
            ["Storage:Timeout"] = "00:00:04",
            ["Storage:MaxRetries"] = "2",
            ["Greylist:StorageTimeout"] = "00:00:00.500",
            ["Greylist:StatsFlushInterval"] = "00:00:01",
            ["ReputationCache:StorageTimeout"] = "00:00:00.300",
            ["ReputationCache:MemoryTtl"] = "00:00:00",
            ["Lists:RefreshInterval"] = "00:00:00",
        });
        _client = _app.Client();
        _admin = _app.AdminClient();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _azurite.DisposeAsync();
        await _dns.DisposeAsync();
    }

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
        Assert.True(admin.Elapsed < TimeSpan.FromSeconds(10), $"admin 503 took {admin.Elapsed}");
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
        await _client.CheckGreylistAsync(Check(recipient), Bounded());

        // The stats flusher runs every second: with storage frozen for longer than Storage:Timeout it fails at least once.
        _azurite.Freeze();
        await Task.Delay(TimeSpan.FromSeconds(6));
        var duringFreeze = await _client.CheckGreylistAsync(Check(NewRecipient()), Bounded());
        _azurite.Thaw();

        Assert.True(duringFreeze.Degraded);
        AssertHostRunning();
        var stats = await WaitForAsync(async () =>
        {
            // Just thawed, Azurite first works through what every background loop sent while it was frozen (the
            // queue pumps of the whitelist and e-mail functions too): a 503 then is the route's right answer; ask again.
            try
            {
                var current = await _admin.GetGreylistStatsAsync(Bounded());
                return current.Checks.New >= 1 && current.DegradedAnswers >= 1 ? current : null;
            }
            catch (ApiException<ProblemDetails> unavailable) when (unavailable.StatusCode == 503)
            {
                return null;
            }
        });
        Assert.Equal(1, stats.DegradedAnswers);
    }

    [Fact]
    public async Task StatsRowOfWrongTypes_FlusherThrowsUnexpectedly_HostKeepsServing()
    {
        await _client.CheckGreylistAsync(Check(NewRecipient()), Bounded());
        // A statistics row another version (or a person) wrote with a text where a count belongs: reading it throws
        // InvalidOperationException, which is no storage failure the flusher could expect.
        var table = new Azure.Data.Tables.TableServiceClient(_azurite.ConnectionString).GetTableClient(_app.NamePrefix + "Greylist");
        await table.UpsertEntityAsync(new Azure.Data.Tables.TableEntity("stats", "totals") { ["TripletsCreated"] = "many" }, cancellationToken: Bounded());

        // Three flush intervals: the flusher meets the row at least twice.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var after = await _client.CheckGreylistAsync(Check(NewRecipient()), Bounded());

        Assert.Equal((GreylistReason.New, false), (after.Reason, after.Degraded));
        AssertHostRunning();
    }

    private async Task WarmUpAsync()
    {
        await _admin.PutHostedListRangeEntryAsync(new HostedListEntryRequest { Reason = "Spam run" }, HostedListKind.Block, "198.51.100.0", 24, Bounded());
        var reputation = await _client.GetReputationAsync("198.51.100.7", Bounded());
        var greylist = await _client.CheckGreylistAsync(Check(NewRecipient()), Bounded());
        Assert.Equal((Verdict.Listed, false), (reputation.Verdict, reputation.Degraded));
        Assert.Equal((GreylistReason.New, false), (greylist.Reason, greylist.Degraded));
    }

    // Two clients (a greylist check and a reputation call at a time each) for the given time; every answer recorded.
    private async Task<List<Answer>> TrafficAsync(TimeSpan duration)
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
                    var verdict = await _client.CheckGreylistAsync(Check(NewRecipient()), Bounded());
                    answer = new Answer("greylist", clock.Elapsed, verdict.Degraded, verdict.Action == GreylistAction.Accept ? "accept" : verdict.Action.ToString());
                }
                else
                {
                    // Alternately an address on our hosted block list (read before the outage) and one a zone lists.
                    var ip = n++ % 2 == 0 ? "198.51.100.7" : "192.0.2.9";
                    var report = await _client.GetReputationAsync(ip, Bounded());
                    answer = new Answer("reputation " + ip, clock.Elapsed, report.Degraded, report.Verdict.ToString());
                }

                lock (answers)
                {
                    answers.Add(answer);
                }
            }
        }
    }

    private static void AssertDegradedButServed(List<Answer> answers)
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

    private async Task<(int Status, string? RetryAfter, TimeSpan Elapsed)> AdminCallAsync()
    {
        using var http = _app.CreateClient();
        http.DefaultRequestHeaders.Add("x-functions-key", BlocklistApiApp.AdminKey);
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync(new Uri("/v1/lists/block/entries", UriKind.Relative), Bounded());
        return ((int)response.StatusCode, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), clock.Elapsed);
    }

    private async Task<JsonElement> HealthAsync()
    {
        using var http = _app.CreateClient();
        using var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative), Bounded());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Bounded())).RootElement.Clone();
    }

    // How long until both routes answer without "degraded" again.
    private async Task<TimeSpan> RecoveryAsync()
    {
        var clock = Stopwatch.StartNew();
        await WaitForAsync(async () =>
        {
            var greylist = await _client.CheckGreylistAsync(Check(NewRecipient()), Bounded());
            var reputation = await _client.GetReputationAsync("192.0.2.9", Bounded());
            return greylist.Degraded || reputation.Degraded ? null : (object)true;
        });
        return clock.Elapsed;
    }

    private void AssertHostRunning()
    {
        var lifetime = _app.Services.GetRequiredService<IHostApplicationLifetime>();
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the host is stopping");
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe)
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

    private static GreylistCheckRequest Check(string recipient) =>
        new() { ClientAddress = "203.0.113.5", Sender = "alice@example.com", Recipient = recipient };

    private static string NewRecipient() => $"user{Guid.NewGuid():N}@example.net";

    private static CancellationToken Bounded() => new CancellationTokenSource(s_timeout).Token;

    private sealed record Answer(string Route, TimeSpan Elapsed, bool Degraded, string Outcome);
}
