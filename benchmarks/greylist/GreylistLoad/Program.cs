using System.Diagnostics;
using System.Globalization;
using GreylistLoad;

// The greylisting benchmark's load tool. See ../README.md.
var options = LoadOptions.Parse(args);
await using var target = Targets.Create(options);
var workload = new Workload(options);

Console.Error.WriteLine($"[{options.Label}] seeding {options.Known} known triplets (delay {options.DelaySeconds} s)...");
await workload.SeedAsync(target);

foreach (var concurrency in options.Concurrency)
{
    HttpTarget.Reasons.Clear();
    AzuriteOpsCounter? azurite = null;
    (long Reads, long Writes)? before = null;
    var result = await workload.RunAsync(target, concurrency, options.Scenario, async () =>
    {
        azurite = options.AzuriteLog is { } log ? await AzuriteOpsCounter.StartAsync(log) : null;
        before = options.OpsFromHealth && target is HttpTarget http ? await http.StorageOperationsAsync() : null;
    });
    (long Reads, long Writes)? ops = azurite is not null ? await azurite.CountSinceStartAsync()
        : before is { } start && target is HttpTarget counted ? Subtract(await counted.StorageOperationsAsync(), start) : null;
    var opsText = ops is null ? "" : string.Create(CultureInfo.InvariantCulture,
        $" | {ops.Value.Reads / (double)result.Checks:0.000} | {ops.Value.Writes / (double)result.Checks:0.000}");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {options.Label} | {options.Scenario} | {concurrency} | {result.Checks} | {result.Checks / result.Elapsed.TotalSeconds:0} | {result.P50.TotalMilliseconds:0.00} | {result.P99.TotalMilliseconds:0.00} | {result.Accepts}/{result.Defers}/{result.Errors}{opsText} |"));
    if (!HttpTarget.Reasons.IsEmpty)
    {
        Console.Error.WriteLine($"[{options.Label}] reasons (warm-up included): {string.Join(", ", HttpTarget.Reasons.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} {r.Value}"))}");
    }
}

static (long Reads, long Writes) Subtract((long Reads, long Writes) after, (long Reads, long Writes) before) => (after.Reads - before.Reads, after.Writes - before.Writes);

namespace GreylistLoad
{
    /// <summary>Command line: --target http://host:port or policy://host:port, and the workload's shape.</summary>
    internal sealed record LoadOptions(
        Uri Target,
        string? Key,
        string Label,
        int[] Concurrency,
        TimeSpan Duration,
        int? Count,
        int Known,
        double NewRatio,
        int DelaySeconds,
        string Scenario,
        string? AzuriteLog,
        int Distinct,
        bool OpsFromHealth)
    {
        public static LoadOptions Parse(string[] args)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                map[args[i].TrimStart('-')] = args[i + 1];
            }

            string Get(string name, string fallback) => map.TryGetValue(name, out var value) ? value : fallback;
            var target = new Uri(map.TryGetValue("target", out var t) ? t : throw new ArgumentException("--target http://127.0.0.1:PORT or policy://127.0.0.1:PORT is required"));
            return new LoadOptions(
                target,
                map.GetValueOrDefault("key"),
                Get("label", target.Scheme),
                Get("concurrency", "1,4,16").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray(),
                TimeSpan.FromSeconds(double.Parse(Get("duration", "20"), CultureInfo.InvariantCulture)),
                map.TryGetValue("count", out var count) ? int.Parse(count, CultureInfo.InvariantCulture) : null,
                int.Parse(Get("known", "2000"), CultureInfo.InvariantCulture),
                double.Parse(Get("new-ratio", "0.1"), CultureInfo.InvariantCulture),
                int.Parse(Get("delay", "2"), CultureInfo.InvariantCulture),
                Get("scenario", "mix"),
                map.GetValueOrDefault("azurite-log"),
                int.Parse(Get("distinct", "5000"), CultureInfo.InvariantCulture),
                Get("ops-from-health", "false") == "true");
        }
    }

    /// <summary>One check: a triplet and the HELO/client name a mail server would send.</summary>
    internal readonly record struct Check(string ClientAddress, string Sender, string Recipient);

    /// <summary>What a target answered, reduced to accept, defer or error.</summary>
    internal enum Answer
    {
        Accept,
        Defer,
        Error,
    }

    /// <summary>A greylisting server to check triplets against, one connection per worker.</summary>
    internal interface ITarget : IAsyncDisposable
    {
        Task<IWorkerConnection> ConnectAsync(CancellationToken cancellationToken);
    }

    internal interface IWorkerConnection : IAsyncDisposable
    {
        Task<Answer> CheckAsync(Check check, CancellationToken cancellationToken);
    }

    internal static class Targets
    {
        public static ITarget Create(LoadOptions options) => options.Target.Scheme switch
        {
            "http" => new HttpTarget(options.Target, options.Key),
            "policy" => new PolicyTarget(options.Target.Host, options.Target.Port),
            _ => throw new ArgumentException($"Unknown target scheme '{options.Target.Scheme}'."),
        };
    }

    /// <summary>The workload: known triplets seeded first, then a mix of known (mostly) and new triplets.</summary>
    internal sealed class Workload(LoadOptions options)
    {
        private readonly Check[] _known = Enumerable.Range(0, options.Known).Select(KnownCheck).ToArray();
        // New triplets are unique to this run, so separate runs against one server never share them. Letters only:
        // the server's VERP normalisation folds digit and hex tokens, which would make runs share triplets.
        private static readonly string s_run = new(Enumerable.Range(0, 8).Select(_ => (char)('g' + Random.Shared.Next(20))).ToArray());
        private int _newCounter;
        private Check[] _heavy = [];

        public async Task SeedAsync(ITarget target)
        {
            await RunChecksAsync(target, 16, _known);
            await Task.Delay(TimeSpan.FromSeconds(options.DelaySeconds + 1));
            var retry = await RunChecksAsync(target, 16, _known);
            if (retry.Accepts != _known.Length)
            {
                throw new InvalidOperationException($"Seeding failed: {retry.Accepts} of {_known.Length} retries were accepted ({retry.Errors} errors).");
            }
        }

        public async Task<RunResult> RunAsync(ITarget target, int concurrency, string scenario, Func<Task> measuring)
        {
            if (scenario == "pass")
            {
                // First attempts of fresh triplets (not measured), then their retries after the delay: each passes.
                var fresh = Enumerable.Range(0, options.Count ?? 1000).Select(_ => NewCheck(Interlocked.Increment(ref _newCounter))).ToArray();
                await RunChecksAsync(target, concurrency, fresh);
                await Task.Delay(TimeSpan.FromSeconds(options.DelaySeconds + 1));
                await measuring();
                return await RunChecksAsync(target, concurrency, fresh);
            }

            if (scenario == "heavy")
            {
                // Storage-heavy: Count checks (default 20,000) of Distinct triplets (default 5,000) none of which was
                // seen before, each picked at random, so a triplet is seen about four times: new, too early or passed
                // (after the delay), then known. The warm-up uses triplets of its own.
                _heavy = Fresh(200);
                await RunForAsync(target, concurrency, scenario, TimeSpan.FromSeconds(2), count: 1000);
                _heavy = Fresh(options.Distinct);
                await measuring();
                return await RunForAsync(target, concurrency, scenario, TimeSpan.FromMinutes(10), options.Count ?? 20_000);
            }

            // A short warm-up per level (connections, JIT, caches), not measured.
            await RunForAsync(target, concurrency, scenario, TimeSpan.FromSeconds(2), count: null);
            await measuring();
            return await RunForAsync(target, concurrency, scenario, options.Duration, options.Count);
        }

        private Check[] Fresh(int count) => Enumerable.Range(0, count).Select(_ => NewCheck(Interlocked.Increment(ref _newCounter))).ToArray();

        private async Task<RunResult> RunForAsync(ITarget target, int concurrency, string scenario, TimeSpan duration, int? count)
        {
            var latencies = new List<long>[concurrency];
            var answers = new int[3];
            var remaining = count ?? int.MaxValue;
            var clock = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource(count is null ? duration : TimeSpan.FromMinutes(10));
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
            {
                var mine = latencies[worker] = [];
                var random = new Random(worker * 7919 + concurrency);
                await using var connection = await target.ConnectAsync(stop.Token);
                while (!stop.IsCancellationRequested && Interlocked.Decrement(ref remaining) >= 0)
                {
                    var check = Next(scenario, random);
                    var started = Stopwatch.GetTimestamp();
                    Answer answer;
                    try
                    {
                        answer = await connection.CheckAsync(check, stop.Token);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        break;
                    }

                    mine.Add(Stopwatch.GetTimestamp() - started);
                    Interlocked.Increment(ref answers[(int)answer]);
                }
            }));
            clock.Stop();
            var all = latencies.SelectMany(l => l).Order().ToArray();
            return new RunResult(all.Length, clock.Elapsed, Percentile(all, 0.50), Percentile(all, 0.99), answers[0], answers[1], answers[2]);
        }

        private static async Task<RunResult> RunChecksAsync(ITarget target, int concurrency, Check[] checks)
        {
            var next = -1;
            var answers = new int[3];
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                await using var connection = await target.ConnectAsync(CancellationToken.None);
                for (var i = Interlocked.Increment(ref next); i < checks.Length; i = Interlocked.Increment(ref next))
                {
                    Interlocked.Increment(ref answers[(int)await connection.CheckAsync(checks[i], CancellationToken.None)]);
                }
            }));
            return new RunResult(checks.Length, clock.Elapsed, TimeSpan.Zero, TimeSpan.Zero, answers[0], answers[1], answers[2]);
        }

        // mix: mostly known triplets (repeat mail from known senders), NewRatio new ones (first contact, deferred).
        private Check Next(string scenario, Random random) => scenario switch
        {
            "known" => _known[random.Next(_known.Length)],
            "new" => NewCheck(Interlocked.Increment(ref _newCounter)),
            "heavy" => _heavy[random.Next(_heavy.Length)],
            _ => random.NextDouble() < options.NewRatio ? NewCheck(Interlocked.Increment(ref _newCounter)) : _known[random.Next(_known.Length)],
        };

        // 200 client networks in the benchmarking range (RFC 2544, 198.18.0.0/15), 500 senders, one recipient per triplet.
        private static Check KnownCheck(int i) => new(
            string.Create(CultureInfo.InvariantCulture, $"198.18.{i % 200}.{(i % 250) + 1}"),
            string.Create(CultureInfo.InvariantCulture, $"news{i % 500}@sender{i % 50}.example"),
            string.Create(CultureInfo.InvariantCulture, $"user{i}@example.net"));

        private static Check NewCheck(int n) => new(
            string.Create(CultureInfo.InvariantCulture, $"198.19.{n % 250}.{(n / 250 % 250) + 1}"),
            string.Create(CultureInfo.InvariantCulture, $"first{n}.{s_run}@new{n % 97}.example"),
            string.Create(CultureInfo.InvariantCulture, $"rcpt{n}.{s_run}@example.net"));

        private static TimeSpan Percentile(long[] sorted, double p) =>
            sorted.Length == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(0, sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)]);
    }

    internal sealed record RunResult(int Checks, TimeSpan Elapsed, TimeSpan P50, TimeSpan P99, int Accepts, int Defers, int Errors);
}
