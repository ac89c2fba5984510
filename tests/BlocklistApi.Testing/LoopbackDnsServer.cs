using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BlocklistApi.Testing;

/// <summary>A DNS record the loopback server serves. <see cref="Data"/> is the RDATA already encoded.</summary>
public sealed record DnsTestRecord(string Name, ushort Type, byte[] Data, int Ttl);

/// <summary>
/// An authoritative DNS server on loopback for tests (after dotnet/extensions' LoopbackDnsServer): UDP, and TCP on the
/// same port for truncated answers. Answers are scripted: records by name and type, names that time out (no answer at
/// all), names that SERVFAIL. Unknown names get NXDOMAIN with the SOA of the closest zone that has one.
/// </summary>
public sealed class LoopbackDnsServer : IAsyncDisposable
{
    public const ushort TypeA = 1, TypeNs = 2, TypeCname = 5, TypeSoa = 6, TypePtr = 12, TypeMx = 15, TypeTxt = 16, TypeAaaa = 28, TypeSpf = 99;
    private const ushort TypeOpt = 41, TypeAny = 255;

    private readonly ConcurrentDictionary<string, List<DnsTestRecord>> _records = new(StringComparer.OrdinalIgnoreCase);
    // Silenced names, each with the query types that are still answered (none for a plain SetTimeout).
    private readonly ConcurrentDictionary<string, ushort[]> _timeouts = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _servFails = new(StringComparer.OrdinalIgnoreCase);
    private readonly Socket _udp;
    private readonly TcpListener _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;
    private int _queryCount;

    private LoopbackDnsServer(IPAddress address)
    {
        (_udp, _tcp) = BindUdpAndTcp(address);
        EndPoint = (IPEndPoint)_udp.LocalEndPoint!;
        _udpLoop = Task.Run(UdpLoopAsync);
        _tcpLoop = Task.Run(TcpLoopAsync);
    }

    public IPEndPoint EndPoint { get; }

    // The UDP port the system picked may already be taken for TCP by another test's server: pick again.
    private static (Socket Udp, TcpListener Tcp) BindUdpAndTcp(IPAddress address)
    {
        for (var attempt = 1; ; attempt++)
        {
            var udp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(address, 0));
            var tcp = new TcpListener(new IPEndPoint(address, ((IPEndPoint)udp.LocalEndPoint!).Port));
            try
            {
                tcp.Start();
                return (udp, tcp);
            }
            catch (SocketException) when (attempt < 20)
            {
                udp.Dispose();
            }
        }
    }

    /// <summary>"127.0.0.1:port", as Dns:Servers takes it.</summary>
    public string Server => EndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{EndPoint.Address}]:{EndPoint.Port}" : $"{EndPoint.Address}:{EndPoint.Port}";

    /// <summary>How many queries arrived (UDP and TCP), for tests that count lookups.</summary>
    public int QueryCount => Volatile.Read(ref _queryCount);

    /// <summary>UDP answers larger than this are truncated (TC bit) so the client retries over TCP. Default 512, or the EDNS size the client offers.</summary>
    public int? ForceUdpLimit { get; set; }

    public static LoopbackDnsServer Start(IPAddress? address = null) => new(address ?? IPAddress.Loopback);

    public void Add(string name, ushort type, byte[] data, int ttl = 3600)
    {
        var key = Normalize(name);
        var list = _records.GetOrAdd(key, _ => []);
        lock (list)
        {
            list.Add(new DnsTestRecord(key, type, data, ttl));
        }
    }

    public void AddA(string name, string address, int ttl = 3600) => Add(name, TypeA, AddressBytes(address, 4), ttl);

    public void AddAaaa(string name, string address, int ttl = 3600) => Add(name, TypeAaaa, AddressBytes(address, 16), ttl);

    /// <summary>A TXT record of one or more character-strings (each at most 255 bytes).</summary>
    public void AddTxt(string name, params string[] strings) => Add(name, TypeTxt, CharacterStrings(strings));

    public void AddTxtWithTtl(string name, int ttl, params string[] strings) => Add(name, TypeTxt, CharacterStrings(strings), ttl);

    public void AddSpf(string name, params string[] strings) => Add(name, TypeSpf, CharacterStrings(strings));

    public void AddMx(string name, ushort preference, string exchange, int ttl = 3600)
    {
        var target = EncodeName(exchange);
        var data = new byte[2 + target.Length];
        BinaryPrimitives.WriteUInt16BigEndian(data, preference);
        target.CopyTo(data, 2);
        Add(name, TypeMx, data, ttl);
    }

    public void AddPtr(string name, string target, int ttl = 3600) => Add(name, TypePtr, EncodeName(target), ttl);

    public void AddCname(string name, string target, int ttl = 3600) => Add(name, TypeCname, EncodeName(target), ttl);

    public void AddNs(string name, string target, int ttl = 3600) => Add(name, TypeNs, EncodeName(target), ttl);

    /// <summary>An SOA for a zone; its MINIMUM bounds negative caching (RFC 2308).</summary>
    public void AddSoa(string zone, uint minimum = 300, int ttl = 3600)
    {
        var mname = EncodeName("ns." + Normalize(zone));
        var rname = EncodeName("hostmaster." + Normalize(zone));
        var data = new byte[mname.Length + rname.Length + 20];
        mname.CopyTo(data, 0);
        rname.CopyTo(data, mname.Length);
        var span = data.AsSpan(mname.Length + rname.Length);
        BinaryPrimitives.WriteUInt32BigEndian(span, 1);
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], 3600);
        BinaryPrimitives.WriteUInt32BigEndian(span[8..], 600);
        BinaryPrimitives.WriteUInt32BigEndian(span[12..], 86400);
        BinaryPrimitives.WriteUInt32BigEndian(span[16..], minimum);
        Add(zone, TypeSoa, data, ttl);
    }

    /// <summary>Queries for this name (any type) get no answer at all; "*.zone" silences every name under the zone.</summary>
    public void SetTimeout(string name) => _timeouts[Normalize(name)] = [];

    /// <summary>
    /// Queries for this name get no answer, except queries of the <paramref name="answeredTypes"/>, which are answered
    /// as usual (a server that times out on some types only, as the openspf suite's TIMEOUT entries describe).
    /// </summary>
    public void SetTimeout(string name, params ushort[] answeredTypes) => _timeouts[Normalize(name)] = answeredTypes;

    /// <summary>Queries for this name (any type) get SERVFAIL.</summary>
    public void SetServFail(string name) => _servFails[Normalize(name)] = true;

    /// <summary>Removes every record of this name (the name then gets NXDOMAIN, or a wildcard's answer).</summary>
    public void Remove(string name) => _records.TryRemove(Normalize(name), out _);

    /// <summary>Answers this name again as usual: takes back <see cref="SetTimeout(string)"/> and <see cref="SetServFail"/>.</summary>
    public void Heal(string name)
    {
        _timeouts.TryRemove(Normalize(name), out _);
        _servFails.TryRemove(Normalize(name), out _);
    }

    /// <summary>Removes every record, timeout and SERVFAIL.</summary>
    public void Clear()
    {
        _records.Clear();
        _timeouts.Clear();
        _servFails.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Dispose();
        _tcp.Stop();
        try
        {
#pragma warning disable VSTHRD003 // Our own loops, started in the constructor.
            await Task.WhenAll(_udpLoop, _tcpLoop);
#pragma warning restore VSTHRD003
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        _stop.Dispose();
    }

    public static string Normalize(string name) => name.TrimEnd('.').ToLowerInvariant();

    private async Task UdpLoopAsync()
    {
        var buffer = new byte[65535];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(EndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            var response = Answer(buffer.AsSpan(0, received.ReceivedBytes), udp: true);
            if (response is not null)
            {
                try
                {
                    await _udp.SendToAsync(response, SocketFlags.None, received.RemoteEndPoint, _stop.Token);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
                {
                }
            }
        }
    }

    private async Task TcpLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _tcp.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        var stream = client.GetStream();
                        var lengthBytes = new byte[2];
                        while (true)
                        {
                            await stream.ReadExactlyAsync(lengthBytes, _stop.Token);
                            var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(lengthBytes)];
                            await stream.ReadExactlyAsync(query, _stop.Token);
                            var response = Answer(query, udp: false);
                            if (response is null)
                            {
                                return;
                            }

                            var framed = new byte[response.Length + 2];
                            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)response.Length);
                            response.CopyTo(framed, 2);
                            await stream.WriteAsync(framed, _stop.Token);
                        }
                    }
                    catch (Exception ex) when (ex is IOException or EndOfStreamException or OperationCanceledException or ObjectDisposedException or SocketException)
                    {
                    }
                }
            });
        }
    }

    private byte[]? Answer(ReadOnlySpan<byte> query, bool udp)
    {
        Interlocked.Increment(ref _queryCount);
        if (query.Length < 12)
        {
            return null;
        }

        var id = BinaryPrimitives.ReadUInt16BigEndian(query);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(query[2..]);
        var qdCount = BinaryPrimitives.ReadUInt16BigEndian(query[4..]);
        var arCount = BinaryPrimitives.ReadUInt16BigEndian(query[10..]);
        if (qdCount != 1)
        {
            return Header(id, flags, rcode: 1, question: []);
        }

        var offset = 12;
        var name = ReadName(query, ref offset);
        var type = BinaryPrimitives.ReadUInt16BigEndian(query[offset..]);
        var questionBytes = query[12..(offset + 4)].ToArray();
        offset += 4;
        var udpLimit = 512;
        for (var i = 0; i < arCount && offset < query.Length; i++)
        {
            ReadName(query, ref offset);
            var rrType = BinaryPrimitives.ReadUInt16BigEndian(query[offset..]);
            var rrClass = BinaryPrimitives.ReadUInt16BigEndian(query[(offset + 2)..]);
            var rdLength = BinaryPrimitives.ReadUInt16BigEndian(query[(offset + 8)..]);
            if (rrType == TypeOpt)
            {
                udpLimit = Math.Max(512, (int)rrClass);
            }

            offset += 10 + rdLength;
        }

        udpLimit = ForceUdpLimit ?? udpLimit;
        var key = Normalize(name);
        if (IsSilenced(key, type))
        {
            return null;
        }

        if (_servFails.ContainsKey(key))
        {
            return Header(id, flags, rcode: 2, questionBytes);
        }

        var answers = new List<DnsTestRecord>();
        var current = key;
        var rcode = 0;
        for (var hops = 0; hops < 10; hops++)
        {
            var records = Lookup(current);
            if (records is null)
            {
                rcode = answers.Count == 0 ? 3 : 0;
                break;
            }

            var matching = records.Where(r => r.Type == type || type == TypeAny).ToList();
            if (matching.Count > 0)
            {
                answers.AddRange(matching.Select(r => r with { Name = current }));
                break;
            }

            var cname = records.FirstOrDefault(r => r.Type == TypeCname);
            if (cname is null)
            {
                break;
            }

            answers.Add(cname with { Name = current });
            current = DecodeName(cname.Data);
            if (IsSilenced(current, type))
            {
                return null;
            }
        }

        var authority = answers.Count == 0 ? ClosestSoa(key) : null;
        var response = Message(id, flags, rcode, questionBytes, answers, authority, truncated: false);
        if (udp && response.Length > udpLimit)
        {
            return Message(id, flags, rcode, questionBytes, [], null, truncated: true);
        }

        return response;
    }

    private bool IsSilenced(string name, ushort type)
    {
        if (_timeouts.TryGetValue(name, out var answered))
        {
            return !answered.Contains(type);
        }

        for (var dot = name.IndexOf('.', StringComparison.Ordinal); dot >= 0; dot = name.IndexOf('.', dot + 1))
        {
            if (_timeouts.TryGetValue("*" + name[dot..], out answered))
            {
                return !answered.Contains(type);
            }
        }

        return false;
    }

    // Exact name, else a wildcard "*.parent" (RFC 4592) when the name itself does not exist.
    private List<DnsTestRecord>? Lookup(string name)
    {
        if (_records.TryGetValue(name, out var exact))
        {
            lock (exact)
            {
                return [.. exact];
            }
        }

        var parent = name;
        while (parent.IndexOf('.', StringComparison.Ordinal) is var dot and >= 0)
        {
            parent = parent[(dot + 1)..];
            if (_records.TryGetValue("*." + parent, out var wildcard))
            {
                lock (wildcard)
                {
                    return [.. wildcard];
                }
            }

            if (_records.ContainsKey(parent))
            {
                break;
            }
        }

        return null;
    }

    private DnsTestRecord? ClosestSoa(string name)
    {
        var candidate = name;
        while (true)
        {
            if (_records.TryGetValue(candidate, out var records))
            {
                lock (records)
                {
                    if (records.FirstOrDefault(r => r.Type == TypeSoa) is { } soa)
                    {
                        return soa with { Name = candidate };
                    }
                }
            }

            var dot = candidate.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0)
            {
                return null;
            }

            candidate = candidate[(dot + 1)..];
        }
    }

    private static byte[] Header(ushort id, ushort queryFlags, int rcode, byte[] question) =>
        Message(id, queryFlags, rcode, question, [], null, truncated: false);

    private static byte[] Message(ushort id, ushort queryFlags, int rcode, byte[] question, List<DnsTestRecord> answers, DnsTestRecord? authority, bool truncated)
    {
        using var stream = new MemoryStream();
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(header, id);
        // QR=1, opcode copied, AA=1, RD copied, RA=1.
        var flags = (ushort)(0x8000 | (queryFlags & 0x7800) | 0x0400 | (queryFlags & 0x0100) | 0x0080 | (rcode & 0xF));
        if (truncated)
        {
            flags |= 0x0200;
        }

        BinaryPrimitives.WriteUInt16BigEndian(header[2..], flags);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], (ushort)(question.Length > 0 ? 1 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(header[6..], (ushort)answers.Count);
        BinaryPrimitives.WriteUInt16BigEndian(header[8..], (ushort)(authority is null ? 0 : 1));
        stream.Write(header);
        stream.Write(question);
        foreach (var record in answers)
        {
            WriteRecord(stream, record);
        }

        if (authority is not null)
        {
            WriteRecord(stream, authority);
        }

        return stream.ToArray();
    }

    private static void WriteRecord(MemoryStream stream, DnsTestRecord record)
    {
        stream.Write(EncodeName(record.Name));
        Span<byte> fixedPart = stackalloc byte[10];
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart, record.Type);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart[2..], 1);
        BinaryPrimitives.WriteInt32BigEndian(fixedPart[4..], record.Ttl);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart[8..], (ushort)record.Data.Length);
        stream.Write(fixedPart);
        stream.Write(record.Data);
    }

    /// <summary>Encodes a name as labels; labels are written as given (UTF-8), even if longer than DNS allows, so tests can serve odd data.</summary>
    public static byte[] EncodeName(string name)
    {
        var trimmed = Normalize(name);
        using var stream = new MemoryStream();
        if (trimmed.Length > 0)
        {
            foreach (var label in trimmed.Split('.'))
            {
                var bytes = Encoding.UTF8.GetBytes(label);
                stream.WriteByte((byte)Math.Min(bytes.Length, 63));
                stream.Write(bytes, 0, Math.Min(bytes.Length, 63));
            }
        }

        stream.WriteByte(0);
        return stream.ToArray();
    }

    private static string DecodeName(byte[] data)
    {
        var offset = 0;
        return Normalize(ReadName(data, ref offset));
    }

    private static string ReadName(ReadOnlySpan<byte> message, ref int offset)
    {
        var labels = new List<string>();
        var jumped = false;
        var position = offset;
        for (var guard = 0; guard < 128; guard++)
        {
            var length = message[position];
            if (length == 0)
            {
                position++;
                break;
            }

            if ((length & 0xC0) == 0xC0)
            {
                var pointer = ((length & 0x3F) << 8) | message[position + 1];
                if (!jumped)
                {
                    offset = position + 2;
                }

                jumped = true;
                position = pointer;
                continue;
            }

            labels.Add(Encoding.UTF8.GetString(message.Slice(position + 1, length)));
            position += 1 + length;
        }

        if (!jumped)
        {
            offset = position;
        }

        return string.Join('.', labels);
    }

    private static byte[] CharacterStrings(string[] strings)
    {
        using var stream = new MemoryStream();
        foreach (var text in strings)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            for (var i = 0; i < bytes.Length || i == 0; i += 255)
            {
                var chunk = Math.Min(255, bytes.Length - i);
                stream.WriteByte((byte)chunk);
                stream.Write(bytes, i, chunk);
                if (bytes.Length == 0)
                {
                    break;
                }
            }
        }

        return stream.ToArray();
    }

    private static byte[] AddressBytes(string text, int length)
    {
        var address = BlocklistApi.Net.IpAddressParser.ParseOrNull(text) is { } parsed && parsed.GetAddressBytes().Length == length
            ? parsed
            : length == 16 && BlocklistApi.Net.IpAddressParser.ParseOrNull(text) is { } v4 ? v4.MapToIPv6()
            : throw new ArgumentException($"'{text}' is not an address of {length} bytes.", nameof(text));
        return address.GetAddressBytes();
    }
}
