using System.Reflection;

namespace BlocklistApi.IntegrationTests.Infrastructure;

/// <summary>Build outputs and restored tools this test assembly uses, located by the build.</summary>
public static class BuildOutputs
{
    public static string FunctionApp { get; } = Metadata("FunctionAppOutput");

    /// <summary>Debug or Release: the configuration this test assembly (and so the hosts) was built in.</summary>
    public static string Configuration { get; } = Metadata("Configuration");

    /// <summary>The Bicep CLI binary from the NuGet package Azure.Bicep.CommandLine.linux-x64.</summary>
    public static string BicepCli { get; } = Metadata("BicepCli");

    private static string Metadata(string key) =>
        typeof(BuildOutputs).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
