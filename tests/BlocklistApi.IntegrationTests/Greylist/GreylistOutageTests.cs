using System.Diagnostics;
using System.Net.Sockets;
using System.Net;
using BlocklistApi.Client;
using BlocklistApi.Testing;

namespace BlocklistApi.IntegrationTests.Greylist;

/// <summary>Storage failure: the configured fail mode answers, quickly, never an error status.</summary>
public sealed class GreylistOutageTests
{
    private const string Sender = "alice@example.com";

    [Theory]
    [InlineData("accept", GreylistAction.Accept)]
    [InlineData("defer", GreylistAction.Defer)]
    public async Task GreylistCheck_AzuriteStopped_AnswersWithFailModeQuickly(string failMode, GreylistAction expected)
    {
        // Bounded inside (90 s for its ports): starting a Node.js process on a loaded machine can take longer than a call.
        await using var azurite = await AzuriteServer.StartAsync();
        await using var g = await GreylistHarness.StartAsync(new Dictionary<string, string?> { ["Greylist:FailMode"] = failMode }, azurite);
        var before = await g.CheckAsync("192.0.2.10", Sender, GreylistHarness.NewRecipient());

        await azurite.StopAsync().WaitAsync(GreylistHarness.Timeout);
        var clock = Stopwatch.StartNew();
        var during = await g.CheckAsync("192.0.2.10", Sender, GreylistHarness.NewRecipient());
        clock.Stop();

        Assert.Equal(GreylistReason.New, before.Reason);
        Assert.False(before.Degraded);
        Assert.True(during.Degraded);
        Assert.Equal(expected, during.Action);
        // A refused connection fails at once (Storage:MaxRetries is 0 here); the bound only tells an answer from a hang.
        // It is generous so that a loaded machine cannot fail it: the fail mode itself is asserted above, exactly.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        if (expected == GreylistAction.Defer)
        {
            Assert.StartsWith("451 ", during.SmtpReply, StringComparison.Ordinal);
        }

        var stats = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => g.Admin.GetGreylistStatsAsync(GreylistHarness.Bounded()));
        Assert.Equal(503, stats.StatusCode);
    }

    [Fact]
    public async Task GreylistCheck_AzuriteStopped_KnownTripletStillAnsweredFromMemory()
    {
        // Bounded inside (90 s for its ports): starting a Node.js process on a loaded machine can take longer than a call.
        await using var azurite = await AzuriteServer.StartAsync();
        await using var g = await GreylistHarness.StartAsync(new Dictionary<string, string?> { ["Greylist:Delay"] = "00:01:00" }, azurite);
        var recipient = GreylistHarness.NewRecipient();
        await g.CheckAsync("192.0.2.10", Sender, recipient);
        g.Advance(TimeSpan.FromMinutes(1));
        await g.CheckAsync("192.0.2.10", Sender, recipient);
        g.Advance(TimeSpan.FromSeconds(5));
        await g.CheckAsync("192.0.2.10", Sender, recipient);

        await azurite.StopAsync().WaitAsync(GreylistHarness.Timeout);
        g.Advance(TimeSpan.FromSeconds(30));
        var known = await g.CheckAsync("192.0.2.10", Sender, recipient);
        g.Advance(TimeSpan.FromMinutes(1));
        var afterCacheTtl = await g.CheckAsync("192.0.2.10", Sender, recipient);

        Assert.Equal(GreylistReason.Known, known.Reason);
        Assert.False(known.Degraded);
        Assert.True(afterCacheTtl.Degraded);
    }

    [Fact]
    public async Task GreylistCheck_StorageAcceptsButNeverAnswers_AnswersWithinStorageTimeout()
    {
        var azurite = await AzuriteServer.Shared.WaitAsync(GreylistHarness.Timeout);
        using var hung = new TcpListener(IPAddress.Loopback, 0);
        hung.Start();
        var held = new List<TcpClient>();
        using var stop = new CancellationTokenSource(GreylistHarness.Timeout);
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                held.Add(await hung.AcceptTcpClientAsync(stop.Token));
            }
        });
        var hungPort = ((IPEndPoint)hung.LocalEndpoint).Port;
        var connection = azurite.ConnectionString.Replace($"127.0.0.1:{azurite.TablePort}/", $"127.0.0.1:{hungPort}/", StringComparison.Ordinal);
        await using var g = await GreylistHarness.StartAsync(
            new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = connection,
                ["Greylist:StorageTimeout"] = "00:00:00.500",
                // The storage client would wait 30 s: only Greylist:StorageTimeout can end the check early.
                ["Storage:Timeout"] = "00:00:30",
            },
            realTime: true);

        var clock = Stopwatch.StartNew();
        var verdict = await g.CheckAsync("192.0.2.10", Sender, GreylistHarness.NewRecipient());
        clock.Stop();

        Assert.True(verdict.Degraded);
        Assert.Equal(GreylistAction.Accept, verdict.Action);
        // 0.5 s budget against the storage client's 30 s: 10 s tells them apart with room for a loaded machine.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        await stop.CancelAsync();
#pragma warning disable VSTHRD003 // The accept loop is this test's own task.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accepting);
#pragma warning restore VSTHRD003
        held.ForEach(c => c.Dispose());
    }
}
