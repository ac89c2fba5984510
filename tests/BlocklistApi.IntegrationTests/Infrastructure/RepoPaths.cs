using System.Reflection;

namespace BlocklistApi.IntegrationTests.Infrastructure;

/// <summary>Paths the build wrote into this assembly.</summary>
public static class RepoPaths
{
    public static string Root { get; } = Metadata("RepoRoot");

    public static string FunctionAppOutput { get; } = Metadata("FunctionAppOutput");

    public static string OpenApiDocument => Path.Combine(Root, "openapi", "blocklist-api.yaml");

    private static string Metadata(string key) =>
        typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
