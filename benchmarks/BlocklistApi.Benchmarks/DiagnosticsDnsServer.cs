using System.Globalization;
using BlocklistApi.Testing;

namespace BlocklistApi.Benchmarks;

/// <summary>
/// The DNS side of the diagnostics load benchmark (benchmarks/diagnostics/run.sh): a loopback DNS server with a
/// well-configured sender and a blocklist zone, run as "serve-dns COUNT_FILE" until killed. It prints its host:port
/// and keeps the number of queries it has answered in COUNT_FILE, so the script can count queries per request.
/// </summary>
internal static class DiagnosticsDnsServer
{
    private const int Day = 86400;

    public static async Task RunAsync(string countFile)
    {
        await using var dns = LoopbackDnsServer.Start();
        Serve(dns);
        Console.WriteLine(dns.Server);
        while (true)
        {
            await File.WriteAllTextAsync(countFile, dns.QueryCount.ToString(CultureInfo.InvariantCulture));
            await Task.Delay(100);
        }
    }

    // A sender that passes every DNS check: PTR and A agree, MX and SPF name it, every TTL a day; not listed.
    private static void Serve(LoopbackDnsServer dns)
    {
        dns.AddSoa("100.51.198.in-addr.arpa", ttl: Day);
        dns.AddNs("100.51.198.in-addr.arpa", "ns1.good.bench", Day);
        dns.AddPtr("25.100.51.198.in-addr.arpa", "mail.good.bench", Day);
        dns.AddSoa("good.bench", ttl: Day);
        dns.AddNs("good.bench", "ns1.good.bench", Day);
        dns.AddMx("good.bench", 10, "mail.good.bench", Day);
        dns.AddTxtWithTtl("good.bench", Day, "v=spf1 mx include:_spf.good.bench -all");
        dns.AddTxtWithTtl("_spf.good.bench", Day, "v=spf1 ip4:203.0.113.0/24 -all");
        dns.AddA("mail.good.bench", "198.51.100.25", Day);
        dns.AddTxtWithTtl("mail.good.bench", Day, "v=spf1 a -all");
        dns.AddSoa("bl.bench", minimum: 60, ttl: 60);
    }
}
