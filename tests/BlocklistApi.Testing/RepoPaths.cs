using System.Reflection;

namespace BlocklistApi.Testing;

/// <summary>Paths of the repository this assembly was built from.</summary>
public static class RepoPaths
{
    public static string Root { get; } =
        typeof(RepoPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

    public static string OpenApiDocument => Path.Combine(Root, "openapi", "blocklist-api.yaml");

    /// <summary>The shared conformance data (../shared/conformance next to the repository), or SPF_SUITE for the SPF suite.</summary>
    public static string SharedConformance => Path.GetFullPath(Path.Combine(Root, "..", "shared", "conformance"));
}
