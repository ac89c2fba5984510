using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

// The DNS zone benchmark's load tool. See ../README.md.
//   seed:  DnsLoad seed --api http://127.0.0.1:PORT --key ADMIN_KEY
//   query: DnsLoad query --server 127.0.0.1:PORT --zone bl.bench --label NAME --concurrency 1,4,16 --duration 10 --listed 0.1
var map = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 1; i + 1 < args.Length; i += 2)
{
    map[args[i].TrimStart('-')] = args[i + 1];
}

string Get(string name, string fallback) => map.TryGetValue(name, out var value) ? value : fallback;

if (args.FirstOrDefault() == "seed")
{
    await Seed.RunAsync(new Uri(Get("api", "http://127.0.0.1:7071")), Get("key", ""));
    return;
}

var server = IPEndPoint.Parse(Get("server", "127.0.0.1:53"));
var zone = Get("zone", "bl.bench");
var label = Get("label", server.ToString());
var listedRatio = double.Parse(Get("listed", "0.1"), CultureInfo.InvariantCulture);
var duration = TimeSpan.FromSeconds(double.Parse(Get("duration", "10"), CultureInfo.InvariantCulture));
foreach (var concurrency in Get("concurrency", "1,4,16").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)))
{
    await Load.RunAsync(server, zone, concurrency, TimeSpan.FromSeconds(2), listedRatio, measure: false);
    var result = await Load.RunAsync(server, zone, concurrency, duration, listedRatio, measure: true);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {label} | {listedRatio:P0} listed | {concurrency} | {result.Queries} | {result.Queries / result.Elapsed.TotalSeconds:0} | {result.P50.TotalMilliseconds:0.000} | {result.P99.TotalMilliseconds:0.000} | {result.Listed}/{result.NxDomain}/{result.Errors} |"));
}

/// <summary>The list both servers serve: 1000 single addresses in 198.18.0.0/16, 50 /24 ranges in 198.19.0.0/16, 50 IPv6 /48s.</summary>
internal static class Seed
{
    public static IEnumerable<(string Address, int? Prefix)> Entries() =>
        Enumerable.Range(0, 1000).Select(i => (string.Create(CultureInfo.InvariantCulture, $"198.18.{i / 250}.{(i % 250) + 1}"), (int?)null))
            .Concat(Enumerable.Range(0, 50).Select(i => (string.Create(CultureInfo.InvariantCulture, $"198.19.{i}.0"), (int?)24)))
            .Concat(Enumerable.Range(0, 50).Select(i => (string.Create(CultureInfo.InvariantCulture, $"2001:db8:{i:x}::"), (int?)48)));

    public static async Task RunAsync(Uri api, string key)
    {
        using var http = new HttpClient { BaseAddress = api };
        http.DefaultRequestHeaders.Add("x-functions-key", key);
        var entries = Entries().ToArray();
        await Parallel.ForEachAsync(entries, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (entry, token) =>
        {
            var path = entry.Prefix is { } prefix ? $"/v1/lists/block/entries/{entry.Address}/{prefix}" : $"/v1/lists/block/entries/{entry.Address}";
            using var body = new StringContent("{\"reason\":\"Benchmark listing\"}", Encoding.UTF8, "application/json");
            using var response = await http.PutAsync(new Uri(path, UriKind.Relative), body, token);
            response.EnsureSuccessStatusCode();
        });
        await Console.Error.WriteLineAsync($"seeded {entries.Length} block list entries");
    }
}

internal sealed record LoadResult(int Queries, TimeSpan Elapsed, TimeSpan P50, TimeSpan P99, int Listed, int NxDomain, int Errors);

/// <summary>Closed loop: each of N workers has one query outstanding on its own UDP socket, like N resolvers asking.</summary>
internal static class Load
{
    public static async Task<LoadResult> RunAsync(IPEndPoint server, string zone, int concurrency, TimeSpan duration, double listedRatio, bool measure)
    {
        var latencies = new List<long>[concurrency];
        int listed = 0, nx = 0, errors = 0;
        using var stop = new CancellationTokenSource(duration);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = latencies[worker] = new List<long>(100_000);
            var random = new Random((worker * 7919) + concurrency);
            using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            await socket.ConnectAsync(server);
            var buffer = new byte[1500];
            while (!stop.IsCancellationRequested)
            {
                var id = (ushort)random.Next(ushort.MaxValue);
                var query = Query(id, Name(random, listedRatio) + "." + zone);
                var started = Stopwatch.GetTimestamp();
                await socket.SendAsync(query, SocketFlags.None);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    int received;
                    do
                    {
                        received = await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token);
                    }
                    while (received < 12 || BinaryPrimitives.ReadUInt16BigEndian(buffer) != id);

                    mine.Add(Stopwatch.GetTimestamp() - started);
                    var rcode = buffer[3] & 0xF;
                    var answers = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(6));
                    if (rcode == 0 && answers > 0)
                    {
                        Interlocked.Increment(ref listed);
                    }
                    else if (rcode == 3)
                    {
                        Interlocked.Increment(ref nx);
                    }
                    else
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));
        clock.Stop();
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoadResult(all.Length, clock.Elapsed, Percentile(all, 0.5), Percentile(all, 0.99), listed, nx, errors);
    }

    // Listed: one of the seeded single addresses or an address inside a seeded /24. Not listed: TEST-NET-3 and 100.64/10.
    private static string Name(Random random, double listedRatio)
    {
        if (random.NextDouble() < listedRatio)
        {
            var i = random.Next(1050);
            return i < 1000
                ? string.Create(CultureInfo.InvariantCulture, $"{(i % 250) + 1}.{i / 250}.18.198")
                : string.Create(CultureInfo.InvariantCulture, $"{random.Next(256)}.{i - 1000}.19.198");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{random.Next(1, 255)}.{random.Next(256)}.{random.Next(64, 128)}.100");
    }

    private static byte[] Query(ushort id, string name)
    {
        var bytes = new List<byte>(64) { (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.AddRange([0, 0, 1, 0, 1]);
        return [.. bytes];
    }

    private static TimeSpan Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(0, sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)]);
}
