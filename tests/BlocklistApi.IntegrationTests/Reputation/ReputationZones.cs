using BlocklistApi.Testing;

namespace BlocklistApi.IntegrationTests.Reputation;

/// <summary>Test blocklist zones as rbldnsd serves them (real-world zone names, served only on loopback).</summary>
public static class ReputationZones
{
    private const string Soa = "$SOA 300 ns.zones.test hostmaster.zones.test 1 3600 600 86400 120\n";

    /// <summary>A generic DNSBL with the RFC 5782 test point, several codes, TXT reasons, a range and IPv6 entries.</summary>
    public static readonly RbldnsdZone BlockV4 = new("bl.test", "ip4set", Soa + """
        :127.0.0.2:Listed by bl.test, see https://bl.test/lookup?ip=$
        127.0.0.2
        192.0.2.10 :127.0.0.3:Spam source $ caught by traps
        192.0.2.11 :127.0.0.4:Exploited host
        192.0.2.11 :127.0.0.10:Dynamic range
        198.51.100.0/24 :127.0.0.2:Whole range listed
        192.0.2.66 :10.0.0.1:Broken zone data
        """);

    public static readonly RbldnsdZone BlockV6 = new("bl.test", "ip6trie", Soa + """
        :127.0.0.2:IPv6 listed by bl.test
        2001:db8::10
        2001:db8:1::/48 :127.0.0.3:IPv6 range listed
        """);

    /// <summary>Spamhaus ZEN codes, including the 127.255.255.x error answers.</summary>
    public static readonly RbldnsdZone Zen = new("zen.spamhaus.org", "ip4set", Soa + """
        127.0.0.2 :127.0.0.2:https://check.spamhaus.org/sbl/query/SBL1
        192.0.2.30 :127.0.0.2:https://check.spamhaus.org/sbl/query/SBL230
        192.0.2.30 :127.0.0.4:https://check.spamhaus.org/query/ip/192.0.2.30
        192.0.2.31 :127.0.0.11:PBL
        192.0.2.254 :127.255.255.254:Public resolver refused
        """);

    /// <summary>list.dnswl.org, an allow zone: 127.0.15.2 (marketing, medium trust) and 127.0.0.255 (over the limit).</summary>
    public static readonly RbldnsdZone Dnswl = new("list.dnswl.org", "ip4set", Soa + """
        192.0.2.40 :127.0.15.2:dnswl listed
        192.0.2.10 :127.0.3.3:dnswl listed
        192.0.2.41 :127.0.0.255:over limit
        """);
}
