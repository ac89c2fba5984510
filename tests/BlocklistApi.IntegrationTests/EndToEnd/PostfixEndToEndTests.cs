using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;

namespace BlocklistApi.IntegrationTests.EndToEnd;

/// <summary>
/// A real Postfix (Debian's, a private instance on loopback ports) using our glue the way an operator would: the
/// policy service (check_policy_service) in front of the self-host's greylisting, and the self-host's DNS zone for
/// reject_rbl_client and permit_dnswl_client. Every part runs as its own process, started as the README says;
/// swaks plays client addresses through XCLIENT.
/// </summary>
public sealed class PostfixEndToEndTests
{
    private const string BlockZone = "bl.test.example";
    private const string AllowZone = "wl.test.example";
    private const string PageUrl = "https://blocklist.test.example/why";
    private const string FunctionKey = "e2e-function-key";
    private const string AdminKey = "e2e-admin-key";
    private const string Recipient = "bob@example.net";
    // Long enough that an immediate retry is early even on a loaded machine, short enough for a test.
    private static readonly TimeSpan s_delay = TimeSpan.FromSeconds(15);

    [SkippableFact]
    public async Task Postfix_WithPolicyServiceAndZone_GreylistsRejectsListedAcceptsAllowedAndFailsOpen()
    {
        var skip = Peers.SkipReason(PostfixServer.Unavailable);
        Skip.If(skip is not null, skip);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var token = cts.Token;
        var azurite = await AzuriteServer.Shared;
        // Postfix's resolver can only ask port 53: the zone listens on port 53 of an address of its own in 127/8.
        var dnsAddress = FreeLoopbackAddressForPort53();
        await using var resolver = LoopbackDnsServer.Start();
        var apiPort = FreePorts.Tcp();
        var policyPort = FreePorts.Tcp();
        var api = DotnetRunProcess.Start("functions/BlocklistApi.Host", new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Storage__NamePrefix"] = BlocklistApiApp.NewPrefix(),
            ["Auth__FunctionKeys__0"] = FunctionKey,
            ["Auth__AdminKeys__0"] = AdminKey,
            ["Dns__Servers__0"] = resolver.Server,
            ["Greylist__Delay"] = s_delay.ToString("c", CultureInfo.InvariantCulture),
            ["PublicPage__Url"] = PageUrl,
            ["DnsZone__Listen"] = $"{dnsAddress}:53",
            ["DnsZone__Name"] = BlockZone,
            ["DnsZone__AllowName"] = AllowZone,
        }, "--urls", $"http://127.0.0.1:{apiPort}");
        await using var apiProcess = api;
        await using var policy = DotnetRunProcess.Start("functions/BlocklistApi.PostfixPolicy", new Dictionary<string, string>
        {
            ["Policy__Listen"] = $"127.0.0.1:{policyPort}",
            ["Policy__ApiBaseUrl"] = $"http://127.0.0.1:{apiPort}",
            ["Policy__ApiKey"] = FunctionKey,
            ["Policy__PrependHeader"] = "true",
            // The default: a loaded machine can make the self-host's first calls slow, and fail-open would then accept.
            ["Policy__Timeout"] = "00:00:10",
        });
        PostfixServer? postfix = null;
        try
        {
            await api.WaitForHealthAsync(new Uri($"http://127.0.0.1:{apiPort}/healthz"), token);
            await policy.WaitForOutputAsync("Postfix policy service listening on", token);
            var admin = AdminClient(apiPort);
            await admin.PutHostedListEntryAsync(new HostedListEntryRequest { Reason = "Spam run of 2026-11-27" }, HostedListKind.Block, "192.0.2.66", token);
            await admin.PutHostedListEntryAsync(new HostedListEntryRequest { Reason = "Approved whitelist request #12" }, HostedListKind.Allow, "198.51.100.7", token);
            // Warm the greylist route (tables, JIT) with a triplet of its own, so that the first real check is not the slowest.
            await admin.CheckGreylistAsync(new GreylistCheckRequest { ClientAddress = "192.0.2.250", Sender = "warm@sender.test", Recipient = "warm-up@example.net" }, token);
            postfix = await PostfixServer.StartAsync(dnsAddress.ToString(), "example.net",
                $"reject_unauth_destination, reject_rbl_client {BlockZone}=127.0.0.2, permit_dnswl_client {AllowZone}=127.0.0.2, check_policy_service inet:127.0.0.1:{policyPort}",
                token);

            // Greylisting: the first attempt and an immediate retry are deferred at RCPT; after the delay the retry is delivered.
            var first = await postfix.SendAsync("192.0.2.10", "alice@sender.test", Recipient, "greylisted-1", quitAfterRcpt: true, token);
            var firstAnswered = Stopwatch.StartNew();
            var early = await postfix.SendAsync("192.0.2.10", "alice@sender.test", Recipient, "greylisted-2", quitAfterRcpt: true, token);
            AssertRcptReply(first, "<** 450 4.7.1 <bob@example.net>: Recipient address rejected: Greylisted: this is a temporary deferral");
            AssertRcptReply(early, "<** 450 4.7.1 <bob@example.net>: Recipient address rejected: Greylisted:");
            Assert.Contains("; see " + PageUrl, first, StringComparison.Ordinal);

            await Task.Delay(s_delay + TimeSpan.FromSeconds(1) - firstAnswered.Elapsed, token);
            var retry = await postfix.SendAsync("192.0.2.10", "alice@sender.test", Recipient, "greylisted-3", quitAfterRcpt: false, token);
            AssertQueued(retry);
            var mailbox = await postfix.WaitForMailAsync("Subject: greylisted-3", token);
            Assert.Contains("X-Greylist: passed by blocklist-api-policy at ", mailbox, StringComparison.Ordinal);

            // Another address of the same /24 continues the passed triplet.
            AssertQueued(await postfix.SendAsync("192.0.2.20", "alice@sender.test", Recipient, "same-network", quitAfterRcpt: false, token));
            await postfix.WaitForMailAsync("Subject: same-network", token);

            // Our block list, through the DNS zone: refused by reject_rbl_client with our TXT reason in the reply.
            var blocked = await postfix.SendAsync("192.0.2.66", "spammer@sender.test", Recipient, "blocked", quitAfterRcpt: true, token);
            AssertRcptReply(blocked, $"<** 554 5.7.1 Service unavailable; Client host [192.0.2.66] blocked using {BlockZone}; Spam run of 2026-11-27; see {PageUrl}?ip=192.0.2.66");

            // Our allow list, through the DNSWL zone: accepted at the first attempt.
            AssertQueued(await postfix.SendAsync("198.51.100.7", "partner@sender.test", Recipient, "allow-listed", quitAfterRcpt: false, token));
            await postfix.WaitForMailAsync("Subject: allow-listed", token);

            // The API stops: a new triplet is accepted (fail-open), and the policy service says why.
            await api.StopAsync();
            AssertQueued(await postfix.SendAsync("203.0.113.9", "new@sender.test", Recipient, "api-down", quitAfterRcpt: false, token));
            await postfix.WaitForMailAsync("Subject: api-down", token);
            await policy.WaitForOutputAsync("is not answering", token);
            Assert.Contains("answering 'action=DUNNO' until it does", policy.Output(), StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is not SkipException)
        {
            throw new InvalidOperationException(
                $"{ex.Message}\n--- self-host:\n{api.Output()}\n--- policy service:\n{policy.Output()}\n--- {postfix?.Log()}", ex);
        }
        finally
        {
            if (postfix is not null)
            {
                await postfix.DisposeAsync();
            }
        }
    }

    private static void AssertRcptReply(string transcript, string expected)
    {
        var afterRcpt = transcript[transcript.IndexOf("RCPT TO:", StringComparison.Ordinal)..];
        Assert.True(afterRcpt.Contains(expected, StringComparison.Ordinal), $"Expected '{expected}' after RCPT TO in:\n{transcript}");
    }

    private static void AssertQueued(string transcript) =>
        Assert.True(transcript.Contains("<-  250 2.0.0 Ok: queued as", StringComparison.Ordinal), $"The message was not accepted:\n{transcript}");

    private static BlocklistApiClient AdminClient(int port)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Add("x-functions-key", AdminKey);
        return new BlocklistApiClient(http);
    }

    // An address in 127.0.0.0/8 whose port 53 is free for UDP and TCP (other test runs may be doing the same).
    private static IPAddress FreeLoopbackAddressForPort53()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var address = new IPAddress([127, (byte)Random.Shared.Next(100, 250), (byte)Random.Shared.Next(0, 256), (byte)Random.Shared.Next(1, 255)]);
            try
            {
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(address, 53));
                using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(address, 53));
                return address;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("No address in 127.0.0.0/8 has port 53 free.");
    }
}
