using System.Net;
using BlocklistApi.Net;
using DnsClient;

namespace BlocklistApi.Reputation;

/// <summary>A configured zone, ready to query: the secret-bearing query name apart from the name we show.</summary>
public sealed class DnsblZone
{
    // Operators that put an access key in the first label of the zone name.
    private static readonly string[] s_keyedSuffixes = [".dq.spamhaus.net", ".dq.spamhaus.com", ".mail.abusix.zone"];

    public DnsblZone(DnsblZoneOptions options, TimeSpan defaultTimeout, IReadOnlyList<IPEndPoint> servers)
    {
        QueryZone = options.Zone.TrimEnd('.').ToLowerInvariant();
        Name = DisplayNameOf(options);
        Kind = options.Kind;
        Weight = options.Weight;
        Timeout = options.Timeout ?? defaultTimeout;
        // Our own cache keeps DNSBL answers, so the client's is bypassed; no retries, so a zone answers within one timeout.
        QueryOptions = servers.Count > 0 ? new DnsQueryAndServerOptions(servers.ToArray()) : new DnsQueryAndServerOptions();
        QueryOptions.Timeout = Timeout;
        QueryOptions.Retries = 0;
        QueryOptions.UseCache = false;
        QueryOptions.ThrowDnsErrors = false;
        QueryOptions.ContinueOnDnsError = false;
        QueryOptions.ContinueOnEmptyResponse = false;
        QueryOptions.UseTcpFallback = true;
        DelistUrlTemplate = string.IsNullOrWhiteSpace(options.DelistUrl) ? ZoneCodeCatalog.DefaultDelistUrl(Name) : options.DelistUrl;
    }

    /// <summary>The name shown in answers, logs and cache keys; never the access key.</summary>
    public string Name { get; }

    /// <summary>The zone as queried; may contain an access key, so it is never logged.</summary>
    public string QueryZone { get; }

    public ZoneKind Kind { get; }

    public double Weight { get; }

    public TimeSpan Timeout { get; }


    public string? DelistUrlTemplate { get; }

    /// <summary>DnsClient settings for this zone.</summary>
    public DnsQueryAndServerOptions QueryOptions { get; }

    public string QueryName(IPAddress address) => $"{DnsNames.ReverseLabels(address)}.{QueryZone}.";

    public string? DelistUrl(string ip) => DelistUrlTemplate?.Replace("{ip}", Uri.EscapeDataString(ip), StringComparison.Ordinal);

    public static string DisplayNameOf(DnsblZoneOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Name))
        {
            return options.Name.Trim();
        }

        var zone = options.Zone.TrimEnd('.').ToLowerInvariant();
        foreach (var suffix in s_keyedSuffixes)
        {
            // KEY.zen.dq.spamhaus.net: the key is the first of at least two labels in front of the suffix.
            if (zone.EndsWith(suffix, StringComparison.Ordinal))
            {
                var front = zone[..^suffix.Length];
                var dot = front.IndexOf('.', StringComparison.Ordinal);
                if (dot > 0)
                {
                    return front[(dot + 1)..] + suffix;
                }
            }
        }

        return zone;
    }
}
