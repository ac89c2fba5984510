using System.Diagnostics;
using BlocklistApi.Testing;

namespace BlocklistApi.IntegrationTests.PostfixPolicy;

/// <summary>
/// The policy service's systemd unit is valid and hardened, as systemd itself judges it (systemd-analyze, offline).
/// systemd-analyze comes with systemd, which CI machines have; where it is missing the test says so and is skipped.
/// </summary>
public sealed class SystemdUnitTests
{
    private const string SystemdAnalyze = "/usr/bin/systemd-analyze";
    private static readonly string s_unit = Path.Combine(RepoPaths.Root, "functions", "BlocklistApi.PostfixPolicy", "blocklist-postfix-policy.service");

    [SkippableFact]
    public async Task Unit_SystemdAnalyzeVerify_ReportsNothing()
    {
        Skip.IfNot(File.Exists(SystemdAnalyze), $"{SystemdAnalyze} is not installed (it comes with systemd).");

        var (code, output) = await RunAsync("verify", s_unit);

        Assert.True(code == 0 && output.Trim().Length == 0, $"systemd-analyze verify exited {code}: {output}");
    }

    [SkippableFact]
    public async Task Unit_SystemdAnalyzeSecurity_ExposureAtMost2()
    {
        Skip.IfNot(File.Exists(SystemdAnalyze), $"{SystemdAnalyze} is not installed (it comes with systemd).");

        // The threshold is in tenths: 20 is an overall exposure of 2.0 of 10 ("OK"; the unit scores 1.4).
        var (code, output) = await RunAsync("security", "--offline=true", "--threshold=20", s_unit);

        Assert.True(code == 0, $"systemd-analyze security exited {code}: {output}");
    }

    private static async Task<(int Code, string Output)> RunAsync(params string[] arguments)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var start = new ProcessStartInfo(SystemdAnalyze) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
