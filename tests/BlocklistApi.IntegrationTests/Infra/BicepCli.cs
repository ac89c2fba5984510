using System.Diagnostics;
using System.Text.Json.Nodes;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;

namespace BlocklistApi.IntegrationTests.Infra;

/// <summary>What one run of the Bicep CLI printed.</summary>
public sealed record BicepRun(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit code {ExitCode}; stderr:\n{StandardError}";
}

/// <summary>What <c>bicep snapshot</c> predicts a deployment creates: resources with every expression evaluated that can be before deployment.</summary>
public sealed record BicepSnapshot(BicepRun Run, JsonObject? Document)
{
    /// <summary>The snapshot, after checking that it was made without diagnostics.</summary>
    public JsonObject EnsureSucceeded()
    {
        Assert.True(Run.ExitCode == 0, $"bicep snapshot: {Run}");
        Assert.NotNull(Document);
        Assert.Empty(Document["diagnostics"]!.AsArray());
        return Document;
    }
}

/// <summary>
/// The Bicep CLI from NuGet, run offline: <c>build</c> compiles infra/main.bicep to ARM JSON, <c>snapshot</c> evaluates
/// that template with given parameters (loops, lambdas, names) into the resources a deployment would create.
/// </summary>
public static class BicepCli
{
    // Any ids do: the snapshot only needs them to compute resource ids and uniqueString() tokens.
    public const string SubscriptionId = "00000000-0000-0000-0000-0000000000aa";
    public const string TenantId = "00000000-0000-0000-0000-0000000000bb";
    public const string Location = "westeurope";

    private static readonly TimeSpan s_runTimeout = TimeSpan.FromMinutes(2);

    public static string MainTemplate => Path.Combine(RepoPaths.Root, "infra", "main.bicep");

    public static Task<BicepRun> BuildAsync() => RunAsync("build", MainTemplate, "--stdout");

    /// <summary>Evaluates main.bicep with the given <c>param name = value</c> lines (Bicep syntax).</summary>
    public static async Task<BicepSnapshot> SnapshotAsync(string parameters)
    {
        var directory = Directory.CreateTempSubdirectory("bicep-snapshot-");
        try
        {
            // A parameters file must name its template by a relative path.
            var template = Path.GetRelativePath(directory.FullName, MainTemplate);
            var file = Path.Combine(directory.FullName, "test.bicepparam");
            await File.WriteAllTextAsync(file, $"using '{template}'\n\n{parameters}\n");

            var run = await RunAsync(
                "snapshot", file, "--mode", "overwrite",
                "--subscription-id", SubscriptionId, "--tenant-id", TenantId, "--location", Location);
            var output = Path.Combine(directory.FullName, "test.snapshot.json");
            return new BicepSnapshot(run, File.Exists(output) ? JsonNode.Parse(await File.ReadAllTextAsync(output))!.AsObject() : null);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    public static async Task<BicepRun> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var timeout = new CancellationTokenSource(s_runTimeout);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} could not be started.");
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {s_runTimeout}.");
        }

        return new BicepRun(process.ExitCode, await output, (await error).Trim());
    }

    // NuGet extracts package files without their Unix modes on some systems; the binary must be executable to run.
    private static string Executable()
    {
        var path = BuildOutputs.BicepCli;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The Bicep CLI is missing at {path}; restore the integration tests (Azure.Bicep.CommandLine.linux-x64).", path);
        }

        var mode = File.GetUnixFileMode(path);
        if (!mode.HasFlag(UnixFileMode.UserExecute))
        {
            File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        return path;
    }
}
