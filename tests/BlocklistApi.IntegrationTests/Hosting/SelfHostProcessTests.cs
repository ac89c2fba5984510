using System.Diagnostics;
using System.Net;
using System.Text;
using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;

namespace BlocklistApi.IntegrationTests.Hosting;

/// <summary>
/// The smoke test: the self-host started the way the README starts it (dotnet run --project functions/BlocklistApi.Host),
/// configured only through environment variables with the contract's names, answering through the generated client.
/// </summary>
public sealed class SelfHostProcessTests
{
    [Fact]
    public async Task SelfHost_StartedWithDotnetRun_ServesReputationAndStopsCleanly()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var azurite = await AzuriteServer.Shared;
        await using var dns = LoopbackDnsServer.Start();
        dns.AddA("2.0.0.127.smoke.test", "127.0.0.2");
        var port = FreePorts.Tcp();
        var output = new StringBuilder();
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

        start.Environment["AzureWebJobsStorage"] = azurite.ConnectionString;
        start.Environment["Storage__NamePrefix"] = BlocklistApiApp.NewPrefix();
        start.Environment["Auth__FunctionKeys__0"] = "smoke-key";
        start.Environment["Dns__Servers__0"] = dns.Server;
        start.Environment["Dnsbl__Zones__0__Zone"] = "smoke.test";
        start.Environment["Dnsbl__Zones__0__Kind"] = "block";
        start.Environment["Dnsbl__Zones__0__Weight"] = "3";
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
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
