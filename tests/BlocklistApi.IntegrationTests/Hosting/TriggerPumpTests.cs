using System.Collections.Concurrent;
using Azure.Storage.Queues;
using BlocklistApi.Host.Functions;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Storage;
using BlocklistApi.Testing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BlocklistApi.IntegrationTests.Hosting;

/// <summary>What the test functions saw.</summary>
public sealed class PumpProbe
{
    public ConcurrentQueue<PumpMessage> Handled { get; } = new();

    public ConcurrentDictionary<string, int> Attempts { get; } = new();

    public ConcurrentQueue<TimerInfo> Ticks { get; } = new();

    private int _timerFailures;

    /// <summary>How many of the timer's next runs are still to throw.</summary>
    public int TimerFailuresLeft => Volatile.Read(ref _timerFailures);

    /// <summary>Makes the timer function throw on its next <paramref name="runs"/> runs.</summary>
    public void FailTimer(int runs) => Volatile.Write(ref _timerFailures, runs);

    /// <summary>True when this run is to throw.</summary>
    public bool TakeTimerFailure() => Interlocked.Decrement(ref _timerFailures) >= 0;
}

public sealed record PumpMessage(string Id, int FailTimes);

/// <summary>Functions that exist only in this test assembly, run by the self-host's queue and timer pumps.</summary>
public sealed class PumpTestFunctions(PumpProbe probe)
{
    [Function(nameof(TestQueueHandler))]
    public Task TestQueueHandler([QueueTrigger("%TestQueue%")] PumpMessage message, long dequeueCount, CancellationToken cancellationToken)
    {
        var attempt = probe.Attempts.AddOrUpdate(message.Id, 1, (_, n) => n + 1);
        if (attempt <= message.FailTimes)
        {
            throw new InvalidOperationException($"Failing {message.Id} on purpose (attempt {attempt}, dequeue count {dequeueCount}).");
        }

        probe.Handled.Enqueue(message);
        return Task.CompletedTask;
    }

    [Function(nameof(TestTimer))]
    public Task TestTimer([TimerTrigger("%TestSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        if (probe.TakeTimerFailure())
        {
            throw new InvalidOperationException("Failing the timer run on purpose.");
        }

        probe.Ticks.Enqueue(timer);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The self-host runs queue triggers with the Functions host's retry and poison semantics, and timers on their NCRONTAB
/// schedules: the same class on both storage providers. Messages are sent through the app's own queue port; what is
/// left in a queue is counted by each provider's subclass from outside the app.
/// </summary>
public abstract class TriggerPumpTests(StorageProvider provider) : IAsyncLifetime
{
    protected static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly PumpProbe _probe = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 30, TimeSpan.Zero));
    private TestStorage _storage = null!;

    protected BlocklistApiApp App { get; private set; } = null!;

    protected PumpProbe Probe => _probe;

    private IQueueStorage Queues => App.Services.GetRequiredService<IQueueStorage>();

    public async Task InitializeAsync() => _storage = await TestStorage.SharedAsync(provider);

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }
    }

    /// <summary>How many messages the queue (logical name) holds, visible or not, read from outside the app.</summary>
    protected abstract Task<int> CountAsync(string queue, CancellationToken cancellationToken);

    protected Task SendAsync(PumpMessage message, CancellationToken cancellationToken) =>
        SendAsync(System.Text.Json.JsonSerializer.Serialize(message, System.Text.Json.JsonSerializerOptions.Web), cancellationToken);

    protected Task SendAsync(string body, CancellationToken cancellationToken) => Queues.SendAsync("work", body, initialDelay: null, cancellationToken);

    // Queue polling waits on the app's TimeProvider too, so only the timer test runs on fake time.
    protected Task StartAsync(TimeProvider? timeProvider = null, Dictionary<string, string?>? settings = null, TestStorage? storage = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["TestQueue"] = "work",
            ["TestSchedule"] = "0 */5 * * * *",
            ["Queues:MaxPollingInterval"] = "00:00:00.200",
        };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        App = new BlocklistApiApp(
            storage ?? _storage,
            all,
            timeProvider,
            services: services =>
            {
                services.AddSingleton(_probe);
                services.AddSingleton(new FunctionAssembly(typeof(PumpTestFunctions).Assembly));
            });
        App.CreateClient().Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task QueueTrigger_Message_IsHandledAndDeleted()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await StartAsync();

        await SendAsync(new PumpMessage("ok-1", 0), cts.Token);
        await WaitUntilAsync(() => _probe.Handled.Any(m => m.Id == "ok-1"), cts.Token);
        await WaitUntilAsync(async () => await CountAsync("work", cts.Token) == 0, cts.Token);

        Assert.Equal(1, _probe.Attempts["ok-1"]);
    }

    [Fact]
    public async Task QueueTrigger_FailsTwice_IsRetriedAndSucceeds()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await StartAsync();

        await SendAsync(new PumpMessage("flaky", 2), cts.Token);
        await WaitUntilAsync(() => _probe.Handled.Any(m => m.Id == "flaky"), cts.Token);

        Assert.Equal(3, _probe.Attempts["flaky"]);
    }

    [Fact]
    public async Task QueueTrigger_FailsEveryTime_MovesToPoisonQueueAfterFiveAttempts()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await StartAsync();

        await SendAsync(new PumpMessage("bad", int.MaxValue), cts.Token);
        await WaitUntilAsync(async () => await CountAsync("work-poison", cts.Token) == 1, cts.Token);

        var poisoned = Assert.Single(await Queues.ReceiveAsync("work-poison", 10, TimeSpan.FromMinutes(1), cts.Token));
        Assert.Equal("bad", System.Text.Json.JsonSerializer.Deserialize<PumpMessage>(poisoned.Body, System.Text.Json.JsonSerializerOptions.Web)!.Id);
        Assert.Equal(5, _probe.Attempts["bad"]);
        Assert.DoesNotContain(_probe.Handled, m => m.Id == "bad");
        Assert.Equal(0, await CountAsync("work", cts.Token));
    }

    [Fact]
    public async Task TimerTrigger_NcrontabSchedule_FiresAtEachOccurrence()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await StartAsync(_time);

        // Start 12:00:30; the schedule fires at 12:05:00 and 12:10:00.
        await AdvanceToAsync(new DateTimeOffset(2026, 11, 28, 12, 5, 0, TimeSpan.Zero), () => !_probe.Ticks.IsEmpty, cts.Token);
        var first = _time.GetUtcNow();
        await AdvanceToAsync(new DateTimeOffset(2026, 11, 28, 12, 10, 0, TimeSpan.Zero), () => _probe.Ticks.Count >= 2, cts.Token);

        Assert.Equal(new DateTimeOffset(2026, 11, 28, 12, 5, 0, TimeSpan.Zero), first);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 12, 10, 0, TimeSpan.Zero), _time.GetUtcNow());
        Assert.Equal(new DateTime(2026, 11, 28, 12, 10, 0, DateTimeKind.Utc), _probe.Ticks.First().ScheduleStatus!.Next);
        Assert.False(_probe.Ticks.First().IsPastDue);
    }

    [Fact]
    public async Task TimerTrigger_RunThrows_NextOccurrenceStillRuns()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        _probe.FailTimer(1);
        await StartAsync(_time);

        // 12:05 throws; 12:10 runs: the pump (and the host) carried on.
        await AdvanceToAsync(new DateTimeOffset(2026, 11, 28, 12, 5, 0, TimeSpan.Zero), () => _probe.TimerFailuresLeft == 0, cts.Token);
        await AdvanceToAsync(new DateTimeOffset(2026, 11, 28, 12, 10, 0, TimeSpan.Zero), () => !_probe.Ticks.IsEmpty, cts.Token);

        Assert.Equal(new DateTime(2026, 11, 28, 12, 15, 0, DateTimeKind.Utc), Assert.Single(_probe.Ticks).ScheduleStatus!.Next);
    }

    [Fact]
    public async Task QueueTrigger_BodyThatCannotBeBound_GoesToPoisonAndPumpGoesOn()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await StartAsync();

        await SendAsync("this is not JSON", cts.Token);
        await SendAsync(new PumpMessage("good", 0), cts.Token);
        await WaitUntilAsync(() => _probe.Handled.Any(m => m.Id == "good"), cts.Token);
        await WaitUntilAsync(async () => await CountAsync("work-poison", cts.Token) == 1, cts.Token);

        Assert.Equal("this is not JSON", Assert.Single(await Queues.ReceiveAsync("work-poison", 10, TimeSpan.FromMinutes(1), cts.Token)).Body);
    }

    // Moves fake time to the exact instant at once, then waits (bounded by the token) until the pump has reacted. The
    // pump registers its timer during start and computes each next occurrence from the previous one, so it fires at
    // exactly this instant whether the advance comes before or after it waits.
    private async Task AdvanceToAsync(DateTimeOffset instant, Func<bool> condition, CancellationToken cancellationToken)
    {
        _time.Advance(instant - _time.GetUtcNow());
        await WaitUntilAsync(condition, cancellationToken);
    }

    protected static Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken) =>
        WaitUntilAsync(() => Task.FromResult(condition()), cancellationToken);

    protected static async Task WaitUntilAsync(Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        while (!await condition())
        {
            await Task.Delay(50, cancellationToken);
        }
    }
}

public sealed class TriggerPumpAzuriteTests() : TriggerPumpTests(StorageProvider.Azure)
{
    [Fact]
    public async Task QueueTrigger_StorageFrozenThenThawed_PumpSurvivesAndHandlesTheMessage()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await using var azurite = await AzuriteServer.StartAsync().WaitAsync(cts.Token);
        await StartAsync(settings: new() { ["Storage:Timeout"] = "00:00:01" }, storage: TestStorage.On(azurite));

        // Frozen for several Storage:Timeouts: every poll fails by timeout, and the pump must keep going.
        azurite.Freeze();
        await Task.Delay(TimeSpan.FromSeconds(4), cts.Token);
        azurite.Thaw();
        // Just thawed, Azurite first works through what every background loop sent while it was frozen: a send through
        // the app's port (Storage:Timeout 1 s) may time out then, as it should; send again until one is taken (a
        // duplicate would be harmless: the test looks for at least one).
        await WaitUntilAsync(async () =>
        {
            try
            {
                await SendAsync(new PumpMessage("after-thaw", 0), cts.Token);
                return true;
            }
            catch (Exception) when (!cts.IsCancellationRequested)
            {
                return false;
            }
        }, cts.Token);
        await WaitUntilAsync(() => Probe.Handled.Any(m => m.Id == "after-thaw"), cts.Token);

        Assert.False(App.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
    }

    protected override async Task<int> CountAsync(string queue, CancellationToken cancellationToken)
    {
        var client = new QueueServiceClient(App.Storage.Azurite!.ConnectionString).GetQueueClient(App.NamePrefix + queue);
        return await client.ExistsAsync(cancellationToken) ? (await client.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount : 0;
    }
}

public sealed class TriggerPumpSqliteTests() : TriggerPumpTests(StorageProvider.Sqlite)
{
    protected override async Task<int> CountAsync(string queue, CancellationToken cancellationToken)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={TestStorage.SqlitePath(App.NamePrefix)};Pooling=False");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM messages WHERE queue = $q";
        command.Parameters.AddWithValue("$q", App.NamePrefix + queue);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}
