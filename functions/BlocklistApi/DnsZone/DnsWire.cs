using System.Buffers.Binary;
using System.Text;

namespace BlocklistApi.DnsZone;

/// <summary>DNS record types and codes this server knows (RFC 1035 section 3.2.2, RFC 6891 for OPT).</summary>
internal static class DnsCodes
{
    public const ushort TypeA = 1, TypeNs = 2, TypeSoa = 6, TypeTxt = 16, TypeOpt = 41, TypeAny = 255;
    public const ushort ClassIn = 1, ClassAny = 255;
    public const byte NoError = 0, FormErr = 1, ServFail = 2, NxDomain = 3, NotImp = 4, Refused = 5;
}

/// <summary>The one question of a query: its name as sent (wire form, case kept for 0x20 resolvers) and in lower case.</summary>
internal sealed record DnsQuestion(byte[] WireName, IReadOnlyList<string> Labels, ushort Type, ushort Class)
{
    /// <summary>Lower-case dotted text without the final dot; labels with other than printable ASCII cannot match a zone.</summary>
    public string Name { get; } = string.Join('.', Labels);
}

/// <summary>A parsed query. <see cref="Question"/> is null when the header alone is answered (an error rcode).</summary>
internal sealed record DnsQuery(ushort Id, bool RecursionDesired, DnsQuestion? Question, byte Error, bool HasEdns, int UdpPayloadSize, bool BadEdnsVersion);

/// <summary>One record of an answer, RDATA already encoded.</summary>
internal sealed record DnsRecord(byte[] WireName, ushort Type, uint Ttl, byte[] Data);

/// <summary>
/// Reads DNS queries and writes responses (RFC 1035 section 4). Every read is bounds-checked: a datagram that is not
/// a query is dropped (null), a malformed query gets FORMERR, an opcode other than QUERY gets NOTIMP, and nothing
/// throws. Names are at most 255 octets of at most 63-octet labels; compression pointers must point backwards and
/// are followed at most <see cref="MaxPointers"/> times, so a pointer loop cannot spin.
/// </summary>
internal static class DnsWire
{
    public const int HeaderLength = 12;
    public const int MaxNameLength = 255;
    public const int MaxPointers = 16;
    // RFC 6891 section 6.2.5 and the DNS flag day 2020 advice: offer at most 1232 octets over UDP.
    public const int MaxUdpPayload = 1232;
    public const int MinUdpPayload = 512;

    /// <summary>Parses a query; null means drop it silently (too short to answer, or a response rather than a query).</summary>
    public static DnsQuery? Parse(ReadOnlySpan<byte> message)
    {
        if (message.Length < HeaderLength)
        {
            return null;
        }

        var id = BinaryPrimitives.ReadUInt16BigEndian(message);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        if ((flags & 0x8000) != 0)
        {
            // A response: answering it could make two servers talk to each other forever.
            return null;
        }

        var rd = (flags & 0x0100) != 0;
        var opcode = (flags >> 11) & 0xF;
        if (opcode != 0)
        {
            return new DnsQuery(id, rd, null, DnsCodes.NotImp, false, MinUdpPayload, false);
        }

        var qdCount = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        var anCount = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        var nsCount = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        var arCount = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        var formErr = new DnsQuery(id, rd, null, DnsCodes.FormErr, false, MinUdpPayload, false);
        if (qdCount != 1 || anCount != 0 || nsCount != 0)
        {
            return formErr;
        }

        var offset = HeaderLength;
        if (!TryReadName(message, ref offset, out var wireName, out var labels) || offset + 4 > message.Length)
        {
            return formErr;
        }

        var type = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
        var @class = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
        offset += 4;

        // The additional section may hold one OPT record (EDNS); anything else there is skipped.
        var hasEdns = false;
        var udpSize = MinUdpPayload;
        var badVersion = false;
        for (var i = 0; i < arCount; i++)
        {
            if (!TryReadName(message, ref offset, out _, out var ownerLabels) || offset + 10 > message.Length)
            {
                return formErr;
            }

            var rrType = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
            var rrClass = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
            var rrTtl = BinaryPrimitives.ReadUInt32BigEndian(message[(offset + 4)..]);
            var rdLength = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 8)..]);
            offset += 10;
            if (offset + rdLength > message.Length)
            {
                return formErr;
            }

            offset += rdLength;
            if (rrType == DnsCodes.TypeOpt)
            {
                // RFC 6891 section 6.1.1: one OPT, owned by the root.
                if (hasEdns || ownerLabels.Count != 0)
                {
                    return formErr;
                }

                hasEdns = true;
                udpSize = Math.Clamp((int)rrClass, MinUdpPayload, MaxUdpPayload);
                badVersion = ((rrTtl >> 16) & 0xFF) != 0;
            }
        }

        return new DnsQuery(id, rd, new DnsQuestion(wireName, labels, type, @class), DnsCodes.NoError, hasEdns, udpSize, badVersion);
    }

    /// <summary>
    /// Reads a name at <paramref name="offset"/> and moves past it. Labels are lower-cased for matching; a label with
    /// bytes outside printable ASCII is kept as '?' characters, which match no zone. The wire form is rebuilt without
    /// compression, with the sender's case.
    /// </summary>
    public static bool TryReadName(ReadOnlySpan<byte> message, ref int offset, out byte[] wireName, out List<string> labels)
    {
        labels = [];
        wireName = [];
        var wire = new List<byte>(64);
        var position = offset;
        var end = -1;
        var pointers = 0;
        // A pointer must point before the start of the name segment it is read from (no loops, no forward references).
        var segmentStart = offset;
        while (true)
        {
            if (position >= message.Length)
            {
                return false;
            }

            var length = message[position];
            if ((length & 0xC0) == 0xC0)
            {
                if (position + 1 >= message.Length || ++pointers > MaxPointers)
                {
                    return false;
                }

                var target = ((length & 0x3F) << 8) | message[position + 1];
                if (end < 0)
                {
                    end = position + 2;
                }

                if (target >= segmentStart || target < HeaderLength)
                {
                    return false;
                }

                position = target;
                segmentStart = target;
                continue;
            }

            if ((length & 0xC0) != 0)
            {
                // 0x40 and 0x80 label types (RFC 6891 section 5) are not in use.
                return false;
            }

            if (length == 0)
            {
                wire.Add(0);
                break;
            }

            if (position + 1 + length > message.Length || wire.Count + 1 + length + 1 > MaxNameLength)
            {
                return false;
            }

            var label = message.Slice(position + 1, length);
            wire.Add(length);
            foreach (var b in label)
            {
                wire.Add(b);
            }

            labels.Add(LabelText(label));
            position += 1 + length;
        }

        offset = end >= 0 ? end : position + 1;
        wireName = [.. wire];
        return true;
    }

    /// <summary>Encodes a dotted name (already validated) without compression.</summary>
    public static byte[] EncodeName(string name)
    {
        var trimmed = name.TrimEnd('.');
        var bytes = new List<byte>(trimmed.Length + 2);
        if (trimmed.Length > 0)
        {
            foreach (var label in trimmed.Split('.'))
            {
                bytes.Add((byte)label.Length);
                bytes.AddRange(Encoding.ASCII.GetBytes(label));
            }
        }

        bytes.Add(0);
        return [.. bytes];
    }

    /// <summary>
    /// Writes a response. Over UDP, a response longer than the client can take (512, or its EDNS size up to 1232)
    /// is sent with TC set and no records, so the client asks again over TCP (RFC 1035 section 4.2.1, RFC 7766).
    /// </summary>
    public static byte[] WriteResponse(DnsQuery query, byte rcode, bool authoritative, IReadOnlyList<DnsRecord> answers, IReadOnlyList<DnsRecord> authority, bool udp)
    {
        var full = Write(query, rcode, authoritative, answers, authority, truncated: false);
        return udp && full.Length > query.UdpPayloadSize
            ? Write(query, rcode, authoritative, [], [], truncated: true)
            : full;
    }

    private static byte[] Write(DnsQuery query, byte rcode, bool authoritative, IReadOnlyList<DnsRecord> answers, IReadOnlyList<DnsRecord> authority, bool truncated)
    {
        var buffer = new List<byte>(512);
        var flags = 0x8000 | (authoritative ? 0x0400 : 0) | (truncated ? 0x0200 : 0) | (query.RecursionDesired ? 0x0100 : 0);
        // BADVERS (16) does not fit the header's 4 bits: its upper bits go in the OPT record (RFC 6891 section 6.1.3).
        var extendedRcode = query.BadEdnsVersion ? 1 : 0;
        flags |= query.BadEdnsVersion ? 0 : rcode & 0xF;
        WriteUInt16(buffer, query.Id);
        WriteUInt16(buffer, (ushort)flags);
        WriteUInt16(buffer, (ushort)(query.Question is null ? 0 : 1));
        WriteUInt16(buffer, (ushort)answers.Count);
        WriteUInt16(buffer, (ushort)authority.Count);
        WriteUInt16(buffer, (ushort)(query.HasEdns ? 1 : 0));
        if (query.Question is { } question)
        {
            buffer.AddRange(question.WireName);
            WriteUInt16(buffer, question.Type);
            WriteUInt16(buffer, question.Class);
        }

        foreach (var record in answers.Concat(authority))
        {
            buffer.AddRange(record.WireName);
            WriteUInt16(buffer, record.Type);
            WriteUInt16(buffer, DnsCodes.ClassIn);
            WriteUInt32(buffer, record.Ttl);
            WriteUInt16(buffer, (ushort)record.Data.Length);
            buffer.AddRange(record.Data);
        }

        if (query.HasEdns)
        {
            buffer.Add(0);
            WriteUInt16(buffer, DnsCodes.TypeOpt);
            WriteUInt16(buffer, MaxUdpPayload);
            WriteUInt32(buffer, (uint)(extendedRcode << 24));
            WriteUInt16(buffer, 0);
        }

        return [.. buffer];
    }

    /// <summary>The header of an answer to a message that has no usable question (FORMERR, NOTIMP).</summary>
    public static byte[] WriteHeaderOnly(DnsQuery query) => Write(query with { HasEdns = false, BadEdnsVersion = false }, query.Error, false, [], [], false);

    public static void WriteUInt16(List<byte> buffer, ushort value)
    {
        buffer.Add((byte)(value >> 8));
        buffer.Add((byte)value);
    }

    public static void WriteUInt32(List<byte> buffer, uint value)
    {
        buffer.Add((byte)(value >> 24));
        buffer.Add((byte)(value >> 16));
        buffer.Add((byte)(value >> 8));
        buffer.Add((byte)value);
    }

    private static string LabelText(ReadOnlySpan<byte> label)
    {
        Span<char> chars = stackalloc char[label.Length];
        for (var i = 0; i < label.Length; i++)
        {
            var b = label[i];
            chars[i] = b is >= 0x21 and <= 0x7E and not (byte)'.' ? char.ToLowerInvariant((char)b) : '?';
        }

        return new string(chars);
    }
}
