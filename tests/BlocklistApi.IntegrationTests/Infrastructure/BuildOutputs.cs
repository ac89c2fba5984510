using System.Reflection;

namespace BlocklistApi.IntegrationTests.Infrastructure;

/// <summary>Build outputs this test assembly checks, located by the build.</summary>
public static class BuildOutputs
{
    public static string FunctionApp { get; } =
        typeof(BuildOutputs).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FunctionAppOutput").Value!;
}
