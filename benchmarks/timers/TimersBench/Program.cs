using System.Diagnostics;
using System.Globalization;
using BlocklistApi.Hosting;
using BlocklistApi.Reputation;
using BlocklistApi.Storage;
using BlocklistApi.Testing;
using BlocklistApi.Zones;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using TimersBench;

// The timers' benchmark (benchmarks/timers/README.md): one zone health run over 10 zones (rbldnsd on loopback, and the
// hard case with one zone silent), and one cache refresh run over 100k cached answers (Azurite, in memory).
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
var entries = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
await using var azurite = await AzuriteServer.StartAsync();
var zoneNames = Enumerable.Range(1, 10).Select(i => $"z{i}.bench.test").ToArray();
const string ZoneData = """
    $SOA 300 ns.bench.test hostmaster.bench.test 1 3600 600 86400 300
    :127.0.0.2:Listed for the benchmark: $
    127.0.0.2
    10.0.0.0/10
    """;
await using var rbldnsd = await RbldnsdServer.StartAsync(zoneNames.Select(z => new RbldnsdZone(z, "ip4set", ZoneData)).ToArray());
await using var silent = LoopbackDnsServer.Start();
silent.SetTimeout("*.silent.bench.test");

Console.WriteLine($"== Zone health: one run over 10 zones ({runs} runs after a warm-up)");
await HealthAsync("10 zones on rbldnsd", zoneNames.Select(z => (z, (string?)null)).ToArray());
await HealthAsync("9 zones on rbldnsd + 1 silent (timeout 2 s)", zoneNames.Take(9).Select(z => (z, (string?)null)).Append(("silent.bench.test", silent.Server)).ToArray());

Console.WriteLine($"== Cache refresh: one run over {entries} cached answers");
await RefreshAsync();

async Task HealthAsync(string label, (string Zone, string? Server)[] zones)
{
    using var host = Host(zones.Select((z, i) => (z.Zone, z.Server)).ToArray());
    var health = host.Services.GetRequiredService<ZoneHealthService>();
    var tables = (CountingTables)host.Services.GetRequiredService<ITableStorage>();
    await health.ProbeAllAsync(CancellationToken.None);
    tables.Take();
    var elapsed = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        var clock = Stopwatch.StartNew();
        await health.ProbeAllAsync(CancellationToken.None);
        elapsed.Add(clock.Elapsed.TotalMilliseconds);
    }

    var (reads, writes) = tables.Take();
    var states = await host.Services.GetRequiredService<ZoneStates>().ReadAsync(CancellationToken.None);
    elapsed.Sort();
    Console.WriteLine(Invariant($"| {label} | {elapsed[elapsed.Count / 2]:0.0} ms | {elapsed[(int)(elapsed.Count * 0.9)]:0.0} ms | {elapsed[^1]:0.0} ms | {reads / (double)runs:0} reads, {writes / (double)runs:0} writes | {zones.Length * 4} | {string.Join(", ", states.Values.GroupBy(s => s.State).Select(g => $"{g.Count()} {g.Key}"))} |"));
}

async Task RefreshAsync()
{
    var zones = zoneNames.Take(4).Select(z => (z, (string?)null)).ToArray();
    using var host = Host(zones, new() { ["ReputationCache:RefreshBatch"] = "1000" });
    var tables = (CountingTables)host.Services.GetRequiredService<ITableStorage>();
    var refresh = host.Services.GetRequiredService<ReputationCacheRefresh>();
    var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ReputationCacheOptions>>().Value;
    var now = TimeProvider.System.GetUtcNow();

    // 100k answers: addresses x 4 zones. 10 % expired a minute ago, 2 % (hot: read, with read marks) expiring within
    // RefreshAhead, the rest expiring over the next hour.
    var addresses = entries / 4;
    var clock = Stopwatch.StartNew();
    var rows = new List<TableRow>(entries);
    var marks = new List<TableRow>();
    for (var a = 0; a < addresses; a++)
    {
        var ip = Invariant($"10.{a / 65536 % 256}.{a / 256 % 256}.{a % 256}");
        var expires = a % 10 == 0 ? now.AddMinutes(-1)
            : a % 50 == 1 ? now.AddSeconds(30 + (a % 90))
            : now.AddMinutes(3 + (a % 57));
        foreach (var (zone, _) in zones)
        {
            rows.Add(new TableRow(ReputationCacheKeys.ShardOf(ip), ReputationCacheKeys.RowKey(ip, zone))
            {
                ["Status"] = "ok", ["Codes"] = "[\"127.0.0.2\"]", ["Meanings"] = "[]", ["Reasons"] = "[]", ["ExpiresAt"] = expires,
            });
            if (a % 50 == 1)
            {
                marks.Add(new TableRow(ReputationCacheKeys.MarkPartition(expires), ReputationCacheKeys.RowKey(ip, zone)) { ["ExpiresAt"] = expires, ["ReadAt"] = now });
            }
        }
    }

    var batches = rows.Concat(marks).GroupBy(r => r.PartitionKey).SelectMany(p => p.Chunk(100)).ToList();
    await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (batch, token) =>
        await tables.SubmitBatchAsync(options.TableName, batch.Select(r => new TableBatchAction(TableBatchKind.Upsert, r)).ToList(), token));
    tables.Take();
    Console.WriteLine(Invariant($"seeded {rows.Count} answers ({rows.Count / 10} expired, {marks.Count} read and expiring within {options.RefreshAhead}) and {marks.Count} read marks in {clock.Elapsed.TotalSeconds:0.0} s"));

    for (var run = 1; run <= 20; run++)
    {
        var dns = Stopwatch.StartNew();
        var summary = await refresh.RunAsync(CancellationToken.None);
        var (reads, writes) = tables.Take();
        Console.WriteLine(Invariant($"| run {run} | {dns.Elapsed.TotalMilliseconds:0} ms | {summary.Refreshed} refreshed | {summary.AnswersDeleted} expired answers deleted | {summary.MarksDeleted} old marks deleted | {reads} reads, {writes} writes |"));
        if (summary is { Refreshed: 0, AnswersDeleted: 0, MarksDeleted: 0 })
        {
            break;
        }
    }
}

IHost Host((string Zone, string? Server)[] zones, Dictionary<string, string?>? extra = null)
{
    var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
    var settings = new Dictionary<string, string?>
    {
        ["AzureWebJobsStorage"] = azurite.ConnectionString,
        ["Storage:NamePrefix"] = "b" + Guid.NewGuid().ToString("N")[..10],
        ["Storage:Timeout"] = "00:00:30",
        ["Dns:Servers:0"] = rbldnsd.Server,
        ["Logging:LogLevel:Default"] = "Warning",
    };
    for (var i = 0; i < zones.Length; i++)
    {
        settings[$"Dnsbl:Zones:{i}:Zone"] = zones[i].Zone;
        if (zones[i].Server is { } server)
        {
            settings[$"Dnsbl:Zones:{i}:Servers:0"] = server;
        }
    }

    foreach (var (key, value) in extra ?? [])
    {
        settings[key] = value;
    }

    builder.Configuration.AddInMemoryCollection(settings);
    builder.AddBlocklistApi();
    // The real provider, counted.
    builder.Services.RemoveAll<ITableStorage>();
    builder.Services.AddSingleton<AzureTableStorage>();
    builder.Services.AddSingleton<ITableStorage>(sp => new CountingTables(sp.GetRequiredService<AzureTableStorage>()));
    return builder.Build();
}

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
