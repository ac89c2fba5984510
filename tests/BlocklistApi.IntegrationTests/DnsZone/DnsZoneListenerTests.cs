using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using BlocklistApi.Client;
using BlocklistApi.Dns;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Net;
using BlocklistApi.Testing;
using DnsClient;

namespace BlocklistApi.IntegrationTests.DnsZone;

/// <summary>
/// The self-host's DNS listener (DnsZone:Listen) on a real loopback port, asked by a real DNS client over UDP and
/// TCP, fed garbage, and compared with rbldnsd serving the same list from the export route.
/// </summary>
public sealed class DnsZoneListenerTests : IAsyncLifetime
{
    private const string Zone = "bl.zone.test";
    private const string AllowZone = "wl.zone.test";
    private const string PageUrl = "https://blocklist.example/why";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly int _port = FreePorts.UdpAndTcp();
    private BlocklistApiApp? _app;
    private BlocklistApiClient? _admin;

    private IPEndPoint EndPoint => new(IPAddress.Loopback, _port);

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        _app = new BlocklistApiApp(await AzuriteServer.Shared, new Dictionary<string, string?>
        {
            ["DnsZone:Listen"] = $"127.0.0.1:{_port}",
            ["DnsZone:Name"] = Zone,
            ["DnsZone:AllowName"] = AllowZone,
            ["DnsZone:NegativeTtl"] = "00:01:30",
            ["DnsZone:NameServer"] = "ns1.zone.test",
            ["PublicPage:Url"] = PageUrl,
        });
        _admin = _app.AdminClient();
        await _admin.PutHostedListRangeEntryAsync(new HostedListEntryRequest { Reason = "Spam run of 2026-11-27" }, HostedListKind.Block, "192.0.2.0", 24, cts.Token);
        await _admin.PutHostedListEntryAsync(new HostedListEntryRequest { Reason = "Approved whitelist request #12" }, HostedListKind.Allow, "192.0.2.5", cts.Token);
        await _admin.PutHostedListRangeEntryAsync(new HostedListEntryRequest { Reason = "IPv6 snowshoe" }, HostedListKind.Block, "2001:db8:66::", 48, cts.Token);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Zone_BlockListedAddress_AnswersA127002AndTxtWithPageLink(bool tcp)
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var dns = Client(EndPoint, tcp);

        var a = await dns.QueryAsync("10.2.0.192." + Zone, QueryType.A, cancellationToken: cts.Token);
        var txt = await dns.QueryAsync("10.2.0.192." + Zone, QueryType.TXT, cancellationToken: cts.Token);

        Assert.Equal(DnsHeaderResponseCode.NoError, a.Header.ResponseCode);
        Assert.True(a.Header.HasAuthorityAnswer);
        Assert.Equal("127.0.0.2", Assert.Single(a.Answers.ARecords()).Address.ToString());
        Assert.Equal($"Spam run of 2026-11-27; see {PageUrl}?ip=192.0.2.10", Assert.Single(Assert.Single(txt.Answers.TxtRecords()).Text));
    }

    [Fact]
    public async Task Zone_UnlistedAddress_IsNxDomainWithSoaAndNegativeTtl()
    {
        using var cts = new CancellationTokenSource(s_timeout);

        var response = await Client(EndPoint).QueryAsync("10.100.51.198." + Zone, QueryType.A, cancellationToken: cts.Token);

        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, response.Header.ResponseCode);
        var soa = Assert.Single(response.Authorities.SoaRecords());
        Assert.Equal(90, soa.InitialTimeToLive);
        Assert.Equal(90u, soa.Minimum);
        Assert.Equal("ns1.zone.test.", soa.MName.Value);
    }

    [Fact]
    public async Task Zone_AllowListedAddress_ListedInAllowZoneOnly()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var dns = Client(EndPoint);

        var block = await dns.QueryAsync("5.2.0.192." + Zone, QueryType.A, cancellationToken: cts.Token);
        var allow = await dns.QueryAsync("5.2.0.192." + AllowZone, QueryType.A, cancellationToken: cts.Token);

        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, block.Header.ResponseCode);
        Assert.Equal("127.0.0.2", Assert.Single(allow.Answers.ARecords()).Address.ToString());
    }

    [Fact]
    public async Task Zone_Ipv6ByReversedNibbles_IsListed()
    {
        using var cts = new CancellationTokenSource(s_timeout);

        var response = await Client(EndPoint).QueryAsync(Nibbles("2001:db8:66::25") + "." + Zone, QueryType.A, cancellationToken: cts.Token);

        Assert.Equal("127.0.0.2", Assert.Single(response.Answers.ARecords()).Address.ToString());
    }

    [Fact]
    public async Task Zone_Rfc5782TestPoints_AnswerAsTheRfcSays()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var dns = Client(EndPoint);

        var listed = await dns.QueryAsync("2.0.0.127." + Zone, QueryType.A, cancellationToken: cts.Token);
        var notListed = await dns.QueryAsync("1.0.0.127." + Zone, QueryType.A, cancellationToken: cts.Token);
        var listed6 = await dns.QueryAsync(Nibbles("::ffff:7f00:2") + "." + Zone, QueryType.A, cancellationToken: cts.Token);
        var notListed6 = await dns.QueryAsync(Nibbles("::ffff:7f00:1") + "." + Zone, QueryType.A, cancellationToken: cts.Token);
        var allowListed = await dns.QueryAsync("2.0.0.127." + AllowZone, QueryType.A, cancellationToken: cts.Token);

        Assert.Equal("127.0.0.2", Assert.Single(listed.Answers.ARecords()).Address.ToString());
        Assert.Equal("127.0.0.2", Assert.Single(listed6.Answers.ARecords()).Address.ToString());
        Assert.Equal("127.0.0.2", Assert.Single(allowListed.Answers.ARecords()).Address.ToString());
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, notListed.Header.ResponseCode);
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, notListed6.Header.ResponseCode);
    }

    [Fact]
    public async Task Zone_Apex_AnswersSoaAndNs()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var dns = Client(EndPoint);

        var soa = await dns.QueryAsync(Zone, QueryType.SOA, cancellationToken: cts.Token);
        var ns = await dns.QueryAsync(Zone, QueryType.NS, cancellationToken: cts.Token);

        Assert.Equal("hostmaster.bl.zone.test.", Assert.Single(soa.Answers.SoaRecords()).RName.Value);
        Assert.Equal("ns1.zone.test.", Assert.Single(ns.Answers.NsRecords()).NSDName.Value);
    }

    [Fact]
    public async Task Zone_NameOutsideTheZones_IsRefused()
    {
        using var cts = new CancellationTokenSource(s_timeout);

        var response = await Client(EndPoint).QueryAsync("example.com", QueryType.A, cancellationToken: cts.Token);

        Assert.Equal(DnsHeaderResponseCode.Refused, response.Header.ResponseCode);
    }

    [Fact]
    public async Task Listener_GarbageOverUdp_AnswersFormErrOrNothingAndKeepsServing()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        udp.Connect(EndPoint);
        var random = new Random(53);
        for (var i = 0; i < 300; i++)
        {
            var garbage = new byte[random.Next(0, 700)];
            random.NextBytes(garbage);
            await udp.SendAsync(garbage, cts.Token);
        }

        // A compression loop, a label claiming 0x7F octets, a truncated header: FORMERR, FORMERR, nothing.
        var loop = await ExchangeUdpAsync(udp, [0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1], cts.Token);
        var hugeLabel = await ExchangeUdpAsync(udp, [0xAB, 0xCE, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0x7F, 1, 2, 3, 0, 0, 1, 0, 1], cts.Token);
        await udp.SendAsync(new byte[] { 0xAB, 0xCF, 0x01 }, cts.Token);

        Assert.Equal(1, loop[3] & 0xF);
        Assert.Equal(1, hugeLabel[3] & 0xF);
        var after = await Client(EndPoint).QueryAsync("10.2.0.192." + Zone, QueryType.A, cancellationToken: cts.Token);
        Assert.Equal("127.0.0.2", Assert.Single(after.Answers.ARecords()).Address.ToString());
    }

    [Fact]
    public async Task Listener_GarbageOverTcp_ClosesThatConnectionAndKeepsServing()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var random = new Random(7766);
        for (var i = 0; i < 20; i++)
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(EndPoint, cts.Token);
            var stream = tcp.GetStream();
            var garbage = new byte[random.Next(1, 3000)];
            random.NextBytes(garbage);
            await stream.WriteAsync(garbage, cts.Token);
            tcp.Client.Shutdown(SocketShutdown.Send);
            // The listener answers what it can parse and closes; reading to the end must finish, not hang.
            var buffer = new byte[4096];
            while (await stream.ReadAsync(buffer, cts.Token) > 0)
            {
            }
        }

        // A length prefix promising more than is sent, then the client goes quiet and leaves.
        using (var partial = new TcpClient())
        {
            await partial.ConnectAsync(EndPoint, cts.Token);
            await partial.GetStream().WriteAsync(new byte[] { 0x01, 0x00, 0x12 }, cts.Token);
        }

        var after = await Client(EndPoint, tcp: true).QueryAsync("10.2.0.192." + Zone, QueryType.TXT, cancellationToken: cts.Token);
        Assert.Single(after.Answers.TxtRecords());
    }

    [Fact]
    public async Task Listener_CompressionLoopOverTcp_GetsFormErr()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(EndPoint, cts.Token);
        var stream = tcp.GetStream();
        byte[] query = [0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1];

        await stream.WriteAsync((byte[])[0, (byte)query.Length, .. query], cts.Token);
        var length = new byte[2];
        await stream.ReadExactlyAsync(length, cts.Token);
        var response = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
        await stream.ReadExactlyAsync(response, cts.Token);

        Assert.Equal(0xCD, response[1]);
        Assert.Equal(1, response[3] & 0xF);
    }

    [Fact]
    public async Task Zone_StorageDownBeforeTheListsWereRead_AnswersServFailNotNxDomain()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await using var azurite = await AzuriteServer.StartAsync();
        var port = FreePorts.UdpAndTcp();
        await using var app = new BlocklistApiApp(azurite, new Dictionary<string, string?>
        {
            ["DnsZone:Listen"] = $"127.0.0.1:{port}",
            ["DnsZone:Name"] = Zone,
            ["DnsZone:Timeout"] = "00:00:01",
        });
        _ = app.Services;
        await azurite.StopAsync();

        var response = await Client(new IPEndPoint(IPAddress.Loopback, port)).QueryAsync("10.2.0.192." + Zone, QueryType.A, cancellationToken: cts.Token);
        var testPoint = await Client(new IPEndPoint(IPAddress.Loopback, port)).QueryAsync("2.0.0.127." + Zone, QueryType.A, cancellationToken: cts.Token);

        Assert.Equal(DnsHeaderResponseCode.ServerFailure, response.Header.ResponseCode);
        Assert.Equal("127.0.0.2", Assert.Single(testPoint.Answers.ARecords()).Address.ToString());
    }

    [SkippableFact]
    public async Task Export_LoadedIntoRbldnsd_AnswersLikeOurZone()
    {
        var skip = Peers.SkipReason(RbldnsdServer.Unavailable);
        Skip.If(skip is not null, skip);
        using var cts = new CancellationTokenSource(s_timeout);
        var data = await _admin!.ExportHostedListAsync(HostedListKind.Block, ExportFormat.Rbldnsd, cts.Token);
        await using var rbldnsd = await RbldnsdServer.StartAsync(new RbldnsdZone(Zone, "combined", data));
        var ours = Client(EndPoint);
        var theirs = Client(new IPEndPoint(IPAddress.Loopback, rbldnsd.Port));
        string[] probes =
        [
            "10.2.0.192", "200.2.0.192", "5.2.0.192", "10.100.51.198", "2.0.0.127", "1.0.0.127",
            Nibbles("2001:db8:66::25"), Nibbles("2001:db8:67::1"),
        ];

        foreach (var probe in probes)
        {
            foreach (var type in new[] { QueryType.A, QueryType.TXT })
            {
                var a = await ours.QueryAsync($"{probe}.{Zone}", type, cancellationToken: cts.Token);
                var b = await theirs.QueryAsync($"{probe}.{Zone}", type, cancellationToken: cts.Token);
                Assert.True(a.Header.ResponseCode == b.Header.ResponseCode, $"{probe} {type}: ours {a.Header.ResponseCode}, rbldnsd {b.Header.ResponseCode}");
                Assert.Equal(Texts(b), Texts(a));
            }
        }

        Assert.Contains($"Spam run of 2026-11-27; see {PageUrl}?ip=192.0.2.200", Texts(await theirs.QueryAsync("200.2.0.192." + Zone, QueryType.TXT, cancellationToken: cts.Token)));
    }

    private static string[] Texts(IDnsQueryResponse response) =>
        [.. response.Answers.ARecords().Select(r => r.Address.ToString()), .. response.Answers.TxtRecords().SelectMany(r => r.Text)];

    // UDP may drop a datagram (300 garbage ones just filled the listener's buffer): ask again, as a resolver does.
    private static async Task<byte[]> ExchangeUdpAsync(UdpClient udp, byte[] query, CancellationToken cancellationToken)
    {
        while (true)
        {
            await udp.SendAsync(query, cancellationToken);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                while (true)
                {
                    var received = await udp.ReceiveAsync(attempt.Token);
                    if (received.Buffer.Length >= 2 && received.Buffer[0] == query[0] && received.Buffer[1] == query[1])
                    {
                        return received.Buffer;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    private static LookupClient Client(IPEndPoint server, bool tcp = false) => new(new LookupClientOptions(server)
    {
        UseCache = false,
        Retries = 2,
        Timeout = TimeSpan.FromSeconds(5),
        ThrowDnsErrors = false,
        UseTcpOnly = tcp,
        ContinueOnDnsError = false,
    });

    // Nibbles of the IPv6 text as written (the parser maps ::ffff:a.b.c.d to IPv4; here the IPv6 form is wanted).
    private static string Nibbles(string address)
    {
        var parsed = IpAddressParser.ParseOrNull(address)!;
        return DnsNames.ReverseLabels(parsed.IsIPv4() ? parsed.MapToIPv6() : parsed);
    }
}
