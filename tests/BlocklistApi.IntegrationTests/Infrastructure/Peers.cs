namespace BlocklistApi.IntegrationTests.Infrastructure;

/// <summary>
/// Real peers from Debian (rbldnsd, postgrey, chromium...). Outside CI a missing peer skips its tests with a message;
/// with BLOCKLIST_REQUIRE_PEERS=1 (set by .ci/run) it fails them instead, so CI never passes by skipping.
/// </summary>
public static class Peers
{
    public static bool Required => Environment.GetEnvironmentVariable("BLOCKLIST_REQUIRE_PEERS") == "1";

    /// <summary>The reason to skip, or null to run. Throws when peers are required.</summary>
    public static string? SkipReason(string? unavailable) =>
        unavailable is null ? null
        : Required ? throw new InvalidOperationException(unavailable + " (BLOCKLIST_REQUIRE_PEERS=1)")
        : unavailable;
}
