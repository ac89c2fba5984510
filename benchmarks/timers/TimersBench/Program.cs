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
    var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ReputationCacheOptions>>().Value;

    Task SeedAsync(List<TableRow> seed) =>
        Parallel.ForEachAsync(seed.GroupBy(r => r.PartitionKey).SelectMany(p => p.Chunk(100)), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (batch, token) =>
            await tables.SubmitBatchAsync(options.TableName, batch.Select(r => new TableBatchAction(TableBatchKind.Upsert, r)).ToList(), token));
    var refresh = host.Services.GetRequiredService<ReputationCacheRefresh>();
    var now = TimeProvider.System.GetUtcNow();

    // 100k answers: addresses x 4 zones. 10 % expired a minute ago, 2 % (hot: read, with read marks) expiring within
    // RefreshAhead, the rest expiring over the next hour. The hot ones are written last, their expiry counted from
    // the end of the seeding, so that a slow seeding does not let them expire before the run.
    var addresses = entries / 4;
    var clock = Stopwatch.StartNew();
    var rows = new List<TableRow>(entries);
    var hot = new List<string>();
    for (var a = 0; a < addresses; a++)
    {
        var ip = Invariant($"10.{a / 65536 % 256}.{a / 256 % 256}.{a % 256}");
        if (a % 50 == 1)
        {
            hot.Add(ip);
            continue;
        }

        var expires = a % 10 == 0 ? now.AddMinutes(-1) : now.AddMinutes(3 + (a % 57));
        rows.AddRange(zones.Select(z => Answer(ip, z.Item1, expires)));
    }

    await SeedAsync(rows);
    now = TimeProvider.System.GetUtcNow();
    var hotRows = new List<TableRow>();
    var marks = new List<TableRow>();
    foreach (var (ip, i) in hot.Select((ip, i) => (ip, i)))
    {
        var expires = now.AddSeconds(60 + (i % 60));
        foreach (var (zone, _) in zones)
        {
            hotRows.Add(Answer(ip, zone, expires));
            marks.Add(new TableRow(ReputationCacheKeys.MarkPartition(expires), ReputationCacheKeys.RowKey(ip, zone)) { ["ExpiresAt"] = expires, ["ReadAt"] = now });
        }
    }

    await SeedAsync(hotRows.Concat(marks).ToList());
    tables.Take();
    Console.WriteLine(Invariant($"seeded {rows.Count + hotRows.Count} answers ({entries / 10} expired, {hotRows.Count} read and expiring in 60 to 120 s) and {marks.Count} read marks in {clock.Elapsed.TotalSeconds:0.0} s"));

    // What one of the purge's partition queries costs on this Azurite with the table this full.
    var probe = Stopwatch.StartNew();
    var sample = await tables.QueryAsync(options.TableName, new TableQuery(ReputationCacheKeys.Shard(0)) { Filter = TableFilter.LessThan("ExpiresAt", now) }, CancellationToken.None);
    Console.WriteLine(Invariant($"one shard's expired-rows query: {probe.Elapsed.TotalMilliseconds:0} ms for {sample.Count} rows"));
    tables.Take();

    for (var run = 1; run <= 20; run++)
    {
        var elapsed = Stopwatch.StartNew();
        var summary = await refresh.RunAsync(CancellationToken.None);
        var (reads, writes) = tables.Take();
        Console.WriteLine(Invariant($"| run {run} | {elapsed.Elapsed.TotalMilliseconds:0} ms | {summary.Refreshed} refreshed in {summary.Refreshing.TotalMilliseconds:0} ms | {summary.AnswersDeleted} expired answers deleted in {summary.Purging.TotalMilliseconds:0} ms | {summary.MarksDeleted} old marks deleted in {summary.Cleaning.TotalMilliseconds:0} ms | {reads} reads, {writes} writes |"));
        if (summary is { Refreshed: 0, AnswersDeleted: 0, MarksDeleted: 0 })
        {
            break;
        }
    }
}

static TableRow Answer(string ip, string zone, DateTimeOffset expires) => new(ReputationCacheKeys.ShardOf(ip), ReputationCacheKeys.RowKey(ip, zone))
{
    ["Status"] = "ok", ["Codes"] = "[]", ["Meanings"] = "[]", ["Reasons"] = "[]", ["ExpiresAt"] = expires,
};

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
