using System.Text.Json;
using System.Text.Json.Serialization;
using BlocklistApi.Client;
using BlocklistApi.Testing;

namespace BlocklistApi.IntegrationTests.Diagnostics;

/// <summary>
/// The DNS data of the diagnostics tests, served by a <see cref="LoopbackDnsServer"/> with chosen TTLs: a
/// well-configured sender on 127.0.0.1 (so its SMTP greeting can be read on loopback), broken senders in
/// 192.0.2.0/24, a sender whose DNS never answers, and a blocklist zone that lists one of them.
/// </summary>
public static class DiagnosticsZones
{
    public const int Day = 86400;
    public const string Blocklist = "bl.test";

    public const string GoodIp = "127.0.0.1";
    public const string GoodHost = "mail.good.test";
    public const string GoodSender = "bounce@good.test";

    /// <summary>No PTR, listed in <see cref="Blocklist"/>; its HELO name points elsewhere; its domain has no MX, a low NS TTL and an SPF record without it.</summary>
    public const string BrokenIp = "192.0.2.10";
    public const string BrokenHelo = "mail.broken.test";
    public const string BrokenSender = "bounce@broken.test";

    /// <summary>PTR host.broken.test, whose A record is another address.</summary>
    public const string UnconfirmedIp = "192.0.2.20";

    /// <summary>A generic, provider-style PTR name that is forward-confirmed.</summary>
    public const string GenericIp = "192.0.2.40";

    /// <summary>Its PTR lookup and everything under slow.test time out.</summary>
    public const string SlowIp = "192.0.2.30";
    public const string SlowSender = "bounce@slow.test";

    public static void Serve(LoopbackDnsServer dns)
    {
        // The good sender: PTR and A agree, MX and SPF name it, every TTL a day.
        dns.AddSoa("0.0.127.in-addr.arpa", ttl: Day);
        dns.AddNs("0.0.127.in-addr.arpa", "ns1.good.test", Day);
        dns.AddPtr("1.0.0.127.in-addr.arpa", GoodHost, Day);
        dns.AddSoa("good.test", ttl: Day);
        dns.AddNs("good.test", "ns1.good.test", Day);
        dns.AddMx("good.test", 10, GoodHost, Day);
        dns.AddTxtWithTtl("good.test", Day, "v=spf1 mx -all");
        dns.AddA(GoodHost, GoodIp, Day);
        dns.AddTxtWithTtl(GoodHost, Day, "v=spf1 a -all");

        // The broken sender.
        dns.AddSoa("2.0.192.in-addr.arpa", ttl: Day);
        dns.AddNs("2.0.192.in-addr.arpa", "ns.broken.test", Day);
        dns.AddSoa("broken.test", ttl: 300);
        dns.AddNs("broken.test", "ns.broken.test", 300);
        dns.AddTxt("broken.test", "v=spf1 ip4:198.51.100.0/24 -all");
        dns.AddA(BrokenHelo, "198.51.100.99", 300);
        dns.AddPtr("20.2.0.192.in-addr.arpa", "host.broken.test", Day);
        dns.AddA("host.broken.test", "192.0.2.99", Day);
        dns.AddPtr("40.2.0.192.in-addr.arpa", "192-0-2-40.dyn.isp.test", Day);
        dns.AddA("192-0-2-40.dyn.isp.test", GenericIp, Day);

        // The sender whose DNS never answers.
        dns.SetTimeout("30.2.0.192.in-addr.arpa");
        dns.SetTimeout("slow.test");
        dns.SetTimeout("*.slow.test");

        // The blocklist: lists the broken sender, with a reason; NXDOMAIN (with the zone's SOA) for the rest.
        dns.AddSoa(Blocklist, minimum: 60, ttl: 60);
        dns.AddA("10.2.0.192." + Blocklist, "127.0.0.2", 300);
        dns.AddTxt("10.2.0.192." + Blocklist, "Sent spam to our traps");
    }

    /// <summary>The self-host's settings for these zones, with the contract's names; <paramref name="extra"/> overrides.</summary>
    public static Dictionary<string, string?> Settings(LoopbackDnsServer dns, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Dns:Servers:0"] = dns.Server,
            ["Dns:Timeout"] = "00:00:01",
            ["Dns:Retries"] = "0",
            ["Dnsbl:Zones:0:Zone"] = Blocklist,
            ["Dnsbl:Zones:0:DelistUrl"] = "https://bl.test/lookup?ip={ip}",
            ["Diagnostics:Timeout"] = "00:00:12",
            ["RateLimit:PermitsPerMinute"] = "1000",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    private static readonly JsonSerializerOptions s_enumsAsStrings = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The check of this name as the API spells it, e.g. "same-ip".</summary>
    public static DiagnosticCheck Check(this DiagnosticsReport report, string name) => report.Checks.Single(c => WireName(c.Name) == name);

    /// <summary>A check's name as the API sends it (the generated enum keeps it in [JsonStringEnumMemberName]).</summary>
    public static string WireName(DiagnosticCheckName name) => JsonSerializer.Serialize(name, s_enumsAsStrings).Trim('"');

    /// <summary>The check's data as JSON (the generated client leaves it untyped).</summary>
    public static JsonElement Data(this DiagnosticCheck check) =>
        check.Data is JsonElement element ? element : JsonSerializer.SerializeToElement(check.Data);

    public static CancellationToken Timeout(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}
