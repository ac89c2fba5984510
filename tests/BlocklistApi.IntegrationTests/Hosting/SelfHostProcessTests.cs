using System.Diagnostics;
using System.Net;
using System.Text;
using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;

namespace BlocklistApi.IntegrationTests.Hosting;

/// <summary>
/// The self-host as a real process, started the way the README starts it (dotnet run --project
/// functions/BlocklistApi.Host), configured only through environment variables with the contract's names, answering
/// through the generated client: the smoke test (on its default store, SQLite), and durability across kill -9.
/// </summary>
public sealed class SelfHostProcessTests
{
    [Fact]
    public async Task SelfHost_StartedWithDotnetRun_ServesReputationAndStopsCleanly()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var dns = LoopbackDnsServer.Start();
        dns.AddA("2.0.0.127.smoke.test", "127.0.0.2");
        var port = FreePorts.Tcp();
        var output = new StringBuilder();
        // No Storage__Provider: the self-host's default, SQLite (in a file of this test's, not the default data/blocklist.db).
        using var process = Start(port, output, new Dictionary<string, string>
        {
            ["Storage__Sqlite__Path"] = TestStorage.SqlitePath(BlocklistApiApp.NewPrefix()),
            ["Auth__FunctionKeys__0"] = "smoke-key",
            ["Dns__Servers__0"] = dns.Server,
            ["Dnsbl__Zones__0__Zone"] = "smoke.test",
            ["Dnsbl__Zones__0__Kind"] = "block",
            ["Dnsbl__Zones__0__Weight"] = "3",
        });
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitForHealthAsync(http, process, output, cts.Token);
            http.DefaultRequestHeaders.Add("x-functions-key", "smoke-key");
            var client = new BlocklistApiClient(http);

            var report = await client.GetReputationAsync("127.0.0.2", cts.Token);

            Assert.Equal(Verdict.Listed, report.Verdict);
            Assert.Equal(3, report.Score);
            Assert.Equal("smoke.test", report.Listings.Single().Zone);
        }
        finally
        {
            if (!process.HasExited)
            {
                // SIGTERM, as a service manager would send: the host shuts down gracefully.
                Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
                using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await process.WaitForExitAsync(exit.Token);
            }
        }

        Assert.Equal(0, process.ExitCode);
    }

    // What the API acknowledged is in the WAL file (synchronous=NORMAL), which the OS keeps when the process dies:
    // a kill -9 right after the answers loses neither the hosted-list entry nor the greylist triplet's first attempt.
    [Fact]
    public async Task SelfHostOnSqlite_KilledWithSigkillAfterWrites_WritesAreThereAfterRestart()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        var environment = new Dictionary<string, string>
        {
            ["Storage__Provider"] = "sqlite",
            ["Storage__Sqlite__Path"] = TestStorage.SqlitePath(BlocklistApiApp.NewPrefix()),
            ["Auth__FunctionKeys__0"] = "durable-key",
            ["Auth__AdminKeys__0"] = "durable-admin",
            // No statistics flush in between: the greylist row must be there by itself.
            ["Greylist__StatsFlushInterval"] = "01:00:00",
        };
        var triplet = new GreylistCheckRequest { ClientAddress = "192.0.2.44", Sender = "alice@example.com", Recipient = "bob@example.net" };

        var port = FreePorts.Tcp();
        var output = new StringBuilder();
        using (var first = Start(port, output, environment))
        {
            using var http = await ConnectAsync(port, first, output, cts.Token);
            var admin = Client(http, "durable-admin");
            await admin.PutHostedListEntryAsync(new HostedListEntryRequest { Reason = "Written before kill -9" }, HostedListKind.Block, "198.51.100.44", cts.Token);
            var firstAttempt = await admin.CheckGreylistAsync(triplet, cts.Token);
            Assert.Equal(GreylistReason.New, firstAttempt.Reason);

            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync(cts.Token);
            Assert.Equal(137, first.ExitCode);
        }

        port = FreePorts.Tcp();
        using var second = Start(port, output, environment);
        try
        {
            using var http = await ConnectAsync(port, second, output, cts.Token);
            var client = Client(http, "durable-admin");

            var entry = await client.GetHostedListEntryAsync(HostedListKind.Block, "198.51.100.44", cts.Token);
            var reputation = await client.GetReputationAsync("198.51.100.44", cts.Token);
            var retry = await client.CheckGreylistAsync(triplet, cts.Token);

            Assert.Equal("Written before kill -9", entry.Reason);
            Assert.Equal(Verdict.Listed, reputation.Verdict);
            // The first attempt survived: the retry is too early, not new again.
            Assert.Equal((GreylistAction.Defer, GreylistReason.TooEarly), (retry.Action, retry.Reason));
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync(cts.Token);
        }
    }

    // dotnet run (no build) of the self-host on this port, with these environment variables; its output is collected.
    private static Process Start(int port, StringBuilder output, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "run", "--project", "functions/BlocklistApi.Host", "-c", BuildOutputs.Configuration, "--no-build", "--", "--urls", $"http://127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<HttpClient> ConnectAsync(int port, Process process, StringBuilder output, CancellationToken cancellationToken)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await WaitForHealthAsync(http, process, output, cancellationToken);
        return http;
    }

    private static BlocklistApiClient Client(HttpClient http, string key)
    {
        http.DefaultRequestHeaders.Add("x-functions-key", key);
        return new BlocklistApiClient(http);
    }

    private static async Task WaitForHealthAsync(HttpClient http, Process process, StringBuilder output, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The self-host exited with {process.ExitCode}: {output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
