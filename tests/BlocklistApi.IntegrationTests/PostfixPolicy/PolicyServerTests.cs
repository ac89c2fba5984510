using System.Net;
using System.Net.Sockets;
using System.Text;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;
using Microsoft.Extensions.Time.Testing;

namespace BlocklistApi.IntegrationTests.PostfixPolicy;

/// <summary>
/// The policy service in process, speaking the policy delegation protocol on a real port, asking the self-host over
/// real HTTP (Kestrel on a loopback port, Azurite behind it) or a dead, silent or failing endpoint.
/// </summary>
public sealed class PolicyServerTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Policy_NewTripletThenRetryAfterDelay_DefersThenAcceptsOnOneConnection()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        await using var api = await RealPortSelfHost.StartAsync(await AzuriteServer.Shared, new Dictionary<string, string?> { ["PublicPage:Url"] = "https://blocklist.example/why" }, time, cts.Token);
        await using var policy = await PolicyHost.StartAsync(new Dictionary<string, string?> { ["Policy:ApiBaseUrl"] = api.BaseUrl.ToString(), ["Policy:PrependHeader"] = "true" }, cts.Token);
        using var connection = await policy.ConnectAsync(cts.Token);
        var request = PolicyConnection.RcptRequest("192.0.2.10", "alice@sender.test", "bob@example.net");

        var first = await connection.AskAsync(request, cts.Token);
        var early = await connection.AskAsync(request, cts.Token);
        time.Advance(TimeSpan.FromMinutes(6));
        var retry = await connection.AskAsync(request, cts.Token);
        var sameNetwork = await connection.AskAsync(PolicyConnection.RcptRequest("192.0.2.20", "alice@sender.test", "bob@example.net"), cts.Token);

        Assert.StartsWith("action=DEFER_IF_PERMIT Greylisted: this is a temporary deferral, please retry after 300 seconds", first, StringComparison.Ordinal);
        Assert.EndsWith("; see https://blocklist.example/why", first, StringComparison.Ordinal);
        Assert.StartsWith("action=DEFER_IF_PERMIT Greylisted:", early, StringComparison.Ordinal);
        Assert.StartsWith("action=PREPEND X-Greylist: passed by blocklist-api-policy at ", retry, StringComparison.Ordinal);
        // The triplet is keyed by the client's /24: another address of it is accepted at once.
        Assert.StartsWith("action=PREPEND X-Greylist: ", sameNetwork, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Policy_ReputationListedClient_Gets554WithReasonAndPage()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await using var api = await RealPortSelfHost.StartAsync(await AzuriteServer.Shared, new Dictionary<string, string?>(), cancellationToken: cts.Token);
        await api.AdminClient().PutHostedListEntryAsync(new Client.HostedListEntryRequest { Reason = "Spam run of 2026-11-27" }, Client.HostedListKind.Block, "192.0.2.66", cts.Token);
        await using var policy = await PolicyHost.StartAsync(new Dictionary<string, string?>
        {
            ["Policy:ApiBaseUrl"] = api.BaseUrl.ToString(),
            ["Policy:Reputation"] = "true",
            ["Policy:DeferAction"] = "451",
            ["Policy:PageUrl"] = "https://blocklist.example/why",
        }, cts.Token);
        using var connection = await policy.ConnectAsync(cts.Token);

        var listed = await connection.AskAsync(PolicyConnection.RcptRequest("192.0.2.66", "a@sender.test", "b@example.net"), cts.Token);
        var clean = await connection.AskAsync(PolicyConnection.RcptRequest("198.51.100.1", "a@sender.test", "b@example.net"), cts.Token);

        Assert.Equal("action=554 5.7.1 Service unavailable; client [192.0.2.66] is blocked: Spam run of 2026-11-27; see https://blocklist.example/why?ip=192.0.2.66", listed);
        Assert.StartsWith("action=451 4.7.1 Greylisted:", clean, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Policy_ApiUnreachable_AnswersDunnoAndLogsOncePerOutage()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await using var policy = await PolicyHost.StartAsync(new Dictionary<string, string?> { ["Policy:ApiBaseUrl"] = $"http://127.0.0.1:{ClosedPort()}" }, cts.Token);
        using var connection = await policy.ConnectAsync(cts.Token);

        var answers = new List<string?>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add(await connection.AskAsync(PolicyConnection.RcptRequest($"192.0.2.{i + 1}", "a@sender.test", "b@example.net"), cts.Token));
        }

        Assert.All(answers, a => Assert.Equal("action=DUNNO", a));
        Assert.Equal(1, policy.LogCount(11104));
        Assert.Contains("is not answering", policy.Logs.GetSnapshot().Single(r => r.Id.Id == 11104).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Policy_ApiHangs_AnswersFailModeWithinTimeout()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        // Accepts connections and never answers: the slow failure.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        await using var policy = await PolicyHost.StartAsync(new Dictionary<string, string?>
        {
            ["Policy:ApiBaseUrl"] = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}",
            ["Policy:Timeout"] = "00:00:00.500",
            ["Policy:FailMode"] = "tempfail",
        }, cts.Token);
        using var connection = await policy.ConnectAsync(cts.Token);

        var answer = await connection.AskAsync(PolicyConnection.RcptRequest("192.0.2.1", "a@sender.test", "b@example.net"), cts.Token);

        Assert.Equal("action=DEFER_IF_PERMIT Service temporarily unavailable, please try again later", answer);
        Assert.Contains("no answer within 00:00:00.5000000", policy.Logs.GetSnapshot().Single(r => r.Id.Id == 11104).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Policy_Api503_AnswersDunno()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        using var failing = new TcpListener(IPAddress.Loopback, 0);
        failing.Start();
        var server = AnswerEveryRequestAsync(failing, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nContent-Length: 2\r\n\r\n{}", cts.Token);
        await using var policy = await PolicyHost.StartAsync(new Dictionary<string, string?> { ["Policy:ApiBaseUrl"] = $"http://127.0.0.1:{((IPEndPoint)failing.LocalEndpoint).Port}" }, cts.Token);
        using var connection = await policy.ConnectAsync(cts.Token);

        var answer = await connection.AskAsync(PolicyConnection.RcptRequest("192.0.2.1", "a@sender.test", "b@example.net"), cts.Token);

        Assert.Equal("action=DUNNO", answer);
        Assert.Contains("HTTP 503", policy.Logs.GetSnapshot().Single(r => r.Id.Id == 11104).Message, StringComparison.Ordinal);
        failing.Stop();
        await server;
    }

    [Fact]
    public async Task Policy_MalformedRequests_GetDunnoAndTheConnectionGoesOn()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await using var policy = await PolicyHost.StartAsync(new Dictionary<string, string?> { ["Policy:ApiBaseUrl"] = $"http://127.0.0.1:{ClosedPort()}" }, cts.Token);
        using var connection = await policy.ConnectAsync(cts.Token);

        var binary = await connection.AskAsync([0x00, 0xFF, 0xFE, (byte)'=', 0x80, (byte)'\n', (byte)'\n'], cts.Token);
        var noEquals = await connection.AskAsync("hello world\n\n", cts.Token);
        var noClient = await connection.AskAsync("request=smtpd_access_policy\nprotocol_state=RCPT\nsender=a@b.example\nrecipient=c@d.example\n\n", cts.Token);
        var otherState = await connection.AskAsync(PolicyConnection.RcptRequest("192.0.2.1", "a@b.example", "c@d.example", state: "CONNECT"), cts.Token);
        var unknownAttributes = await connection.AskAsync("request=smtpd_access_policy\nprotocol_state=DATA\nsome_future_attribute=1\n\n", cts.Token);

        Assert.All(new[] { binary, noEquals, noClient, otherState, unknownAttributes }, a => Assert.Equal("action=DUNNO", a));
        Assert.Equal(2, policy.LogCount(11101));
        Assert.Equal(1, policy.LogCount(11102));
        // None of these asked the API, so there is no outage to report.
        Assert.Equal(0, policy.LogCount(11104));
    }

    [Fact]
    public async Task Policy_OneMegabyteLine_ClosesTheConnectionAndServesOthers()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await using var policy = await PolicyHost.StartAsync(new Dictionary<string, string?> { ["Policy:ApiBaseUrl"] = $"http://127.0.0.1:{ClosedPort()}" }, cts.Token);
        using var connection = await policy.ConnectAsync(cts.Token);

        string? answer;
        try
        {
            answer = await connection.AskAsync(Encoding.ASCII.GetBytes("sender=" + new string('a', 1024 * 1024) + "\n\n"), cts.Token);
        }
        catch (IOException)
        {
            // The server closed while we were still writing: as good as an end of stream.
            answer = null;
        }

        using var other = await policy.ConnectAsync(cts.Token);
        Assert.Null(answer);
        Assert.Equal(1, policy.LogCount(11111));
        Assert.Equal("action=DUNNO", await other.AskAsync("request=smtpd_access_policy\nprotocol_state=DATA\n\n", cts.Token));
    }

    [Fact]
    public async Task Policy_RequestWithoutEmptyLine_IsClosedAfterReadTimeout()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await using var policy = await PolicyHost.StartAsync(new Dictionary<string, string?>
        {
            ["Policy:ApiBaseUrl"] = $"http://127.0.0.1:{ClosedPort()}",
            ["Policy:ReadTimeout"] = "00:00:00.300",
        }, cts.Token);
        using var connection = await policy.ConnectAsync(cts.Token);

        // Never finished: the server must give up on its own (the test's own bound is 60 s, far above 0.3 s).
        var answer = await connection.AskAsync("request=smtpd_access_policy\nprotocol_state=RCPT\n", cts.Token);

        Assert.Null(answer);
        Assert.Equal(1, policy.LogCount(11112));
    }

    [Fact]
    public async Task Policy_ManyConnectionsAtOnce_EachIsServed()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await using var policy = await PolicyHost.StartAsync(new Dictionary<string, string?> { ["Policy:ApiBaseUrl"] = $"http://127.0.0.1:{ClosedPort()}" }, cts.Token);

        var answers = await Task.WhenAll(Enumerable.Range(0, 32).Select(async i =>
        {
            using var connection = await policy.ConnectAsync(cts.Token);
            var list = new List<string?>();
            for (var j = 0; j < 3; j++)
            {
                list.Add(await connection.AskAsync(PolicyConnection.RcptRequest($"192.0.2.{i + 1}", $"s{j}@sender.test", "b@example.net"), cts.Token));
            }

            return list;
        }));

        Assert.All(answers.SelectMany(a => a), a => Assert.Equal("action=DUNNO", a));
        Assert.Equal(1, policy.LogCount(11104));
    }

    [Fact]
    public async Task Policy_UnixSocket_ServesRequests()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var directory = Directory.CreateTempSubdirectory("policy-");
        var path = Path.Combine(directory.FullName, "policy.sock");
        await File.WriteAllTextAsync(path, "", cts.Token);
        try
        {
            await using (var policy = await PolicyHost.StartAsync(new Dictionary<string, string?>
            {
                ["Policy:Listen"] = "",
                ["Policy:UnixSocket"] = path,
                ["Policy:ApiBaseUrl"] = $"http://127.0.0.1:{ClosedPort()}",
            }, cts.Token))
            {
                using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cts.Token);
                await socket.SendAsync(Encoding.ASCII.GetBytes("request=smtpd_access_policy\nprotocol_state=DATA\n\n"), cts.Token);
                var buffer = new byte[64];
                var read = await socket.ReceiveAsync(buffer, cts.Token);

                Assert.Equal("action=DUNNO\n\n", Encoding.ASCII.GetString(buffer, 0, read));
            }

            Assert.False(File.Exists(path));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // A minimal HTTP server answering every request on every connection with the same response.
    private static async Task AnswerEveryRequestAsync(TcpListener listener, string response, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(cancellationToken);
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
                        var length = 0;
                        while (await reader.ReadLineAsync(cancellationToken) is { } line)
                        {
                            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                            {
                                length = int.Parse(line[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                            }

                            if (line.Length == 0)
                            {
                                var body = new char[length];
                                await reader.ReadBlockAsync(body, cancellationToken);
                                await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(response), cancellationToken);
                                length = 0;
                            }
                        }
                    }
                }, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }
}
