using System.Globalization;
using System.Net;
using System.Text;
using BlocklistApi.Lists;
using BlocklistApi.Net;

namespace BlocklistApi.DnsZone;

/// <summary>One zone we serve: the block list as a DNSBL or the allow list as a DNSWL.</summary>
internal sealed record ServedZone(string Name, string[] Labels, byte[] WireName, HostedListKind List);

/// <summary>Where a question's name falls: a zone's apex, or a name below it and the address it stands for, if any.</summary>
internal sealed record ZoneTarget(ServedZone Zone, bool IsApex, IPAddress? Address, bool IsEmptyNonTerminal);

/// <summary>What to answer: rcode, answer and authority records.</summary>
internal sealed record ZoneAnswer(byte Rcode, IReadOnlyList<DnsRecord> Answers, IReadOnlyList<DnsRecord> Authority);

/// <summary>
/// The answers of our DNSBL/DNSWL zones, as pure functions of the question and the hosted list entry that matched
/// (RFC 5782): an address is queried as its reversed octets (IPv4) or 32 reversed nibbles (IPv6) under the zone; a
/// listed address answers A 127.0.0.2 and a TXT reason, an unlisted one NXDOMAIN with the zone's SOA. The test
/// points of section 5 answer as the RFC says: 127.0.0.2 (and ::FFFF:7F00:2) is listed, 127.0.0.1 (::FFFF:7F00:1) is not.
/// </summary>
internal sealed class DnsZoneAnswers
{
    private const uint Refresh = 3600, Retry = 600, Expire = 604_800;
    private static readonly IPAddress s_testListed = new([127, 0, 0, 2]);
    private static readonly byte[] s_listedA = [127, 0, 0, 2];

    private readonly ServedZone[] _zones;
    private readonly uint _ttl;
    private readonly uint _negativeTtl;
    private readonly string? _pageUrl;
    private readonly string? _nameServer;
    private readonly string? _hostmaster;
    private readonly uint _serial;

    public DnsZoneAnswers(DnsZoneOptions options, string? pageUrl, uint serial)
    {
        var zones = new List<ServedZone> { Zone(options.Name!, HostedListKind.Block) };
        if (!string.IsNullOrEmpty(options.AllowName))
        {
            zones.Add(Zone(options.AllowName, HostedListKind.Allow));
        }

        _zones = [.. zones];
        _ttl = (uint)options.Ttl.TotalSeconds;
        _negativeTtl = (uint)options.NegativeTtl.TotalSeconds;
        _pageUrl = string.IsNullOrEmpty(pageUrl) ? null : pageUrl;
        _nameServer = string.IsNullOrEmpty(options.NameServer) ? null : options.NameServer.TrimEnd('.');
        _hostmaster = string.IsNullOrEmpty(options.Hostmaster) ? null : options.Hostmaster.TrimEnd('.');
        _serial = serial;
    }

    public IReadOnlyList<ServedZone> Zones => _zones;

    /// <summary>The zone a name is in and what it stands for; null when we are not authoritative for it.</summary>
    public ZoneTarget? Locate(DnsQuestion question)
    {
        var labels = question.Labels;
        foreach (var zone in _zones)
        {
            var prefixCount = labels.Count - zone.Labels.Length;
            if (prefixCount < 0 || !IsSuffix(labels, zone.Labels))
            {
                continue;
            }

            if (prefixCount == 0)
            {
                return new ZoneTarget(zone, true, null, false);
            }

            var prefix = labels.Take(prefixCount).ToArray();
            return new ZoneTarget(zone, false, ParseReversed(prefix), IsEmptyNonTerminal(prefix));
        }

        return null;
    }

    /// <summary>True for the RFC 5782 test points, which are answered without looking at the lists.</summary>
    public static bool IsTestPoint(IPAddress address) =>
        address.IsIPv4() && address.GetAddressBytes() is [127, 0, 0, 1 or 2];

    /// <summary>The answer for a located question; <paramref name="match"/> is the hosted list entry that decides for the address.</summary>
    public ZoneAnswer Answer(DnsQuestion question, ZoneTarget target, HostedListEntry? match)
    {
        var zone = target.Zone;
        var type = question.Type;
        if (target.IsApex)
        {
            var apex = new List<DnsRecord>();
            if (type is DnsCodes.TypeSoa or DnsCodes.TypeAny)
            {
                apex.Add(Soa(zone, question.WireName));
            }

            if (type is DnsCodes.TypeNs or DnsCodes.TypeAny)
            {
                apex.Add(new DnsRecord(question.WireName, DnsCodes.TypeNs, _ttl, DnsWire.EncodeName(_nameServer ?? zone.Name)));
            }

            return apex.Count > 0 ? new ZoneAnswer(DnsCodes.NoError, apex, []) : NoData(zone);
        }

        if (target.Address is not { } address)
        {
            return target.IsEmptyNonTerminal ? NoData(zone) : NxDomain(zone);
        }

        var listed = address.Equals(s_testListed)
            ? "Test entry (RFC 5782 section 5)"
            : !IsTestPoint(address) && match is { } entry && entry.List == zone.List ? entry.Reason : null;
        if (listed is null)
        {
            // A name with fewer labels than an IPv6 query is also the parent of IPv6 names: it exists (RFC 8020).
            return target.IsEmptyNonTerminal ? NoData(zone) : NxDomain(zone);
        }

        var records = new List<DnsRecord>();
        if (type is DnsCodes.TypeA or DnsCodes.TypeAny)
        {
            records.Add(new DnsRecord(question.WireName, DnsCodes.TypeA, _ttl, s_listedA));
        }

        if (type is DnsCodes.TypeTxt or DnsCodes.TypeAny)
        {
            records.Add(new DnsRecord(question.WireName, DnsCodes.TypeTxt, _ttl, TxtData(ListingText.Compose(listed, zone.List, _pageUrl, address.ToString()))));
        }

        return records.Count > 0 ? new ZoneAnswer(DnsCodes.NoError, records, []) : NoData(zone);
    }

    /// <summary>Reversed octets (4 decimal labels) or nibbles (32 hex labels) back to the address; IPv4-mapped IPv6 becomes IPv4.</summary>
    public static IPAddress? ParseReversed(IReadOnlyList<string> labels)
    {
        if (labels.Count == 4)
        {
            var bytes = new byte[4];
            for (var i = 0; i < 4; i++)
            {
                if (!TryOctet(labels[i], out bytes[3 - i]))
                {
                    return null;
                }
            }

            return new IPAddress(bytes);
        }

        if (labels.Count == 32)
        {
            var bytes = new byte[16];
            for (var i = 0; i < 32; i++)
            {
                if (labels[i].Length != 1 || !char.IsAsciiHexDigit(labels[i][0]))
                {
                    return null;
                }

                var nibble = Convert.ToByte(labels[i], 16);
                var index = 15 - (i / 2);
                bytes[index] |= (byte)(i % 2 == 0 ? nibble : nibble << 4);
            }

            var address = new IPAddress(bytes);
            return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        }

        return null;
    }

    // The labels could begin a longer address name: up to 3 octets, or up to 31 nibbles.
    private static bool IsEmptyNonTerminal(string[] labels) =>
        (labels.Length < 4 && labels.All(l => TryOctet(l, out _)))
        || (labels.Length < 32 && labels.All(l => l.Length == 1 && char.IsAsciiHexDigit(l[0])));

    private static bool TryOctet(string label, out byte value)
    {
        value = 0;
        return label.Length is >= 1 and <= 3 && label.All(char.IsAsciiDigit) && (label.Length == 1 || label[0] != '0')
            && byte.TryParse(label, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private ZoneAnswer NxDomain(ServedZone zone) => new(DnsCodes.NxDomain, [], [Soa(zone, zone.WireName)]);

    private ZoneAnswer NoData(ServedZone zone) => new(DnsCodes.NoError, [], [Soa(zone, zone.WireName)]);

    // RFC 2308 section 5: the negative TTL is the smaller of the SOA's TTL and MINIMUM; both are DnsZone:NegativeTtl.
    private DnsRecord Soa(ServedZone zone, byte[] owner)
    {
        var data = new List<byte>(64);
        data.AddRange(DnsWire.EncodeName(_nameServer ?? zone.Name));
        data.AddRange(DnsWire.EncodeName(_hostmaster ?? "hostmaster." + zone.Name));
        foreach (var value in new[] { _serial, Refresh, Retry, Expire, _negativeTtl })
        {
            DnsWire.WriteUInt32(data, value);
        }

        return new DnsRecord(owner, DnsCodes.TypeSoa, _negativeTtl, [.. data]);
    }

    private static byte[] TxtData(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        var data = new byte[bytes.Length + 1];
        data[0] = (byte)bytes.Length;
        bytes.CopyTo(data, 1);
        return data;
    }

    private static bool IsSuffix(IReadOnlyList<string> labels, string[] suffix)
    {
        var offset = labels.Count - suffix.Length;
        for (var i = 0; i < suffix.Length; i++)
        {
            if (!string.Equals(labels[offset + i], suffix[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static ServedZone Zone(string name, HostedListKind list)
    {
        var trimmed = name.TrimEnd('.').ToLowerInvariant();
        return new ServedZone(trimmed, trimmed.Split('.'), DnsWire.EncodeName(trimmed), list);
    }
}
