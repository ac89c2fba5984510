using System.Net;
using BlocklistApi.Dns;

namespace BlocklistApi.Reputation;

/// <summary>A configured zone, ready to query: the secret-bearing query name apart from the name we show.</summary>
public sealed class DnsblZone
{
    private readonly IReadOnlyList<IPEndPoint> _servers;

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
        _servers = servers;
        LookupOptions = new DnsLookupOptions(servers, Timeout, Name);
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

    /// <summary>How this zone is asked: its resolvers, its timeout, no retry, no client cache; logged by its display name.</summary>
    public DnsLookupOptions LookupOptions { get; }

    /// <summary>The TXT lookup of a listing gets what is left of the zone's timeout.</summary>
    public DnsLookupOptions ReasonLookupOptions(TimeSpan remaining) => new(_servers, remaining, Name);

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
