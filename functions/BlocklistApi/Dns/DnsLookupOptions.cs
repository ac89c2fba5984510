using System.Net;
using DnsClient;

namespace BlocklistApi.Dns;

/// <summary>
/// Settings for lookups that must not use the shared Dns:* ones: their own resolvers, one timeout with no retry, no
/// client cache (the caller caches). DNSBL zones use them: a zone answers within its timeout or is "timeout".
/// </summary>
public sealed class DnsLookupOptions
{
    public DnsLookupOptions(IReadOnlyList<IPEndPoint> servers, TimeSpan timeout, string displayName)
    {
        Timeout = timeout;
        DisplayName = displayName;
        Query = servers.Count > 0 ? new DnsQueryAndServerOptions(servers.ToArray()) : new DnsQueryAndServerOptions();
        Query.Timeout = timeout;
        Query.Retries = 0;
        Query.UseCache = false;
        Query.ThrowDnsErrors = false;
        Query.ContinueOnDnsError = false;
        Query.ContinueOnEmptyResponse = false;
        Query.UseTcpFallback = true;
    }

    /// <summary>The whole lookup's time limit.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>What logs and error texts call the lookup instead of the queried name (which may hold an access key).</summary>
    public string DisplayName { get; }

    internal DnsQueryAndServerOptions Query { get; }
}
