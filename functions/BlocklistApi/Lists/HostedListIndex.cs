using System.Buffers.Binary;
using System.Net;
using BlocklistApi.Net;

namespace BlocklistApi.Lists;

/// <summary>
/// The hosted list entries of a snapshot, indexed for lookups: one hash table per prefix length in use, so a match
/// costs one probe per distinct prefix length (at most 33 for IPv4, 129 for IPv6) instead of a pass over every entry.
/// Same answer as <see cref="HostedListService.Match"/>: an allow entry wins, else the most specific block entry;
/// expired entries do not count.
/// </summary>
internal sealed class HostedListIndex
{
    private readonly (int PrefixLength, Dictionary<UInt128, HostedListEntry[]> Entries)[] _ipv4;
    private readonly (int PrefixLength, Dictionary<UInt128, HostedListEntry[]> Entries)[] _ipv6;

    public HostedListIndex(IEnumerable<(IpNetwork Range, HostedListEntry Entry)> entries)
    {
        var all = entries.ToArray();
        _ipv4 = Build(all.Where(e => e.Range.Network.IsIPv4()), 32);
        _ipv6 = Build(all.Where(e => !e.Range.Network.IsIPv4()), 128);
    }

    public HostedListEntry? Match(IPAddress address, DateTimeOffset now)
    {
        var ipv4 = address.IsIPv4();
        var bits = ipv4 ? 32 : 128;
        var key = Key(address);
        HostedListEntry? block = null;
        foreach (var (prefixLength, table) in ipv4 ? _ipv4 : _ipv6)
        {
            if (!table.TryGetValue(Mask(key, prefixLength, bits), out var candidates))
            {
                continue;
            }

            foreach (var entry in candidates)
            {
                if (entry.ExpiresAt is { } expires && expires <= now)
                {
                    continue;
                }

                if (entry.List == HostedListKind.Allow)
                {
                    return entry;
                }

                block ??= entry;
            }
        }

        return block;
    }

    private static (int, Dictionary<UInt128, HostedListEntry[]>)[] Build(IEnumerable<(IpNetwork Range, HostedListEntry Entry)> entries, int bits) =>
        entries
            .GroupBy(e => e.Range.PrefixLength)
            .OrderByDescending(g => g.Key)
            .Select(g => (g.Key, g
                .GroupBy(e => Key(e.Range.Network))
                .ToDictionary(r => r.Key, r => r.Select(e => e.Entry).ToArray())))
            .ToArray();

    private static UInt128 Key(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        return length == 4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    // The network part of an address of the given width; shifts by the full width are avoided (C# masks shift counts).
    private static UInt128 Mask(UInt128 value, int prefixLength, int bits) =>
        prefixLength == 0 ? UInt128.Zero
        : bits == 32 ? value & (uint.MaxValue << (32 - prefixLength))
        : value & (UInt128.MaxValue << (128 - prefixLength));
}
