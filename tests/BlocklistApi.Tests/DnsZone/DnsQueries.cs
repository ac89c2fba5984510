using System.Buffers.Binary;
using System.Text;

namespace BlocklistApi.Tests.DnsZone;

/// <summary>Builds DNS messages byte by byte, as a resolver (or an attacker) would send them.</summary>
internal static class DnsQueries
{
    public static byte[] Query(string name, ushort type, ushort id = 0x1234, ushort flags = 0x0100, int? ednsSize = null, byte ednsVersion = 0)
    {
        var bytes = new List<byte>();
        Add16(bytes, id);
        Add16(bytes, flags);
        Add16(bytes, 1);
        Add16(bytes, 0);
        Add16(bytes, 0);
        Add16(bytes, (ushort)(ednsSize is null ? 0 : 1));
        bytes.AddRange(Name(name));
        Add16(bytes, type);
        Add16(bytes, 1);
        if (ednsSize is { } size)
        {
            bytes.Add(0);
            Add16(bytes, 41);
            Add16(bytes, (ushort)size);
            bytes.AddRange([0, ednsVersion, 0, 0]);
            Add16(bytes, 0);
        }

        return [.. bytes];
    }

    public static byte[] Name(string name)
    {
        var bytes = new List<byte>();
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.Add(0);
        return [.. bytes];
    }

    /// <summary>A header with one question, then the given raw question bytes.</summary>
    public static byte[] Raw(params byte[] question) =>
        [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, .. question];

    public static ushort Rcode(byte[] response) => (ushort)(BinaryPrimitives.ReadUInt16BigEndian(response.AsSpan(2)) & 0xF);

    public static ushort Flags(byte[] response) => BinaryPrimitives.ReadUInt16BigEndian(response.AsSpan(2));

    public static ushort Count(byte[] response, int section) => BinaryPrimitives.ReadUInt16BigEndian(response.AsSpan(4 + (2 * section)));

    private static void Add16(List<byte> bytes, ushort value)
    {
        bytes.Add((byte)(value >> 8));
        bytes.Add((byte)value);
    }
}
