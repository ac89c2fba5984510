using System.Globalization;
using System.Net;
using BlocklistApi.Lists;
using BlocklistApi.Zones;

namespace BlocklistApi.Reputation;

/// <summary>Answers "is this client IP on a blocklist?" from the configured zones and our hosted lists.</summary>
public sealed class ReputationService(
    DnsblZones zones,
    DnsblResolver resolver,
    ZoneAnswerCache cache,
    HostedListService hostedLists,
    ZoneStates zoneStates,
    ZoneHealthService zoneHealth,
    ZoneStatistics zoneStatistics,
    TimeProvider timeProvider)
{
    /// <summary>
    /// The verdict for <paramref name="address"/>. Storage never holds it up for long: each storage step waits at most
    /// ReputationCache:StorageTimeout, then the answer comes from DNS and the last hosted lists this instance has, and
    /// says <c>degraded</c>.
    /// </summary>
    public Task<ReputationReport> CheckAsync(IPAddress address, CancellationToken cancellationToken) => CheckAsync(address, null, cancellationToken);

    /// <summary>
    /// As <see cref="CheckAsync(IPAddress, CancellationToken)"/>; when <paramref name="mail"/> names the recipient, a
    /// scoped allow entry for that recipient (an approved whitelist request) makes the verdict whitelisted.
    /// </summary>
    public async Task<ReputationReport> CheckAsync(IPAddress address, MailContext? mail, CancellationToken cancellationToken)
    {
        var ip = address.ToString();
        var localTask = MatchHostedListsAsync(address, mail, cancellationToken);
        var listingsTask = LookupZonesAsync(address, ip, cancellationToken);
        await Task.WhenAll(localTask, listingsTask);
        var (listings, cacheDegraded) = await listingsTask;
        var local = await localTask;
        return Combine(ip, listings, local.Entry, timeProvider.GetUtcNow()) with { Degraded = cacheDegraded || local.Degraded };
    }

    /// <summary>
    /// The verdict, by precedence: our allow list, then our block list, then the weighted zones (allow zones win a tie
    /// against block zones); "unknown" only when every zone asked failed and no hosted entry matched. Disabled zones
    /// were not asked and count for nothing.
    /// </summary>
    internal static ReputationReport Combine(string ip, IReadOnlyList<ZoneListing> listings, HostedListEntry? local, DateTimeOffset now)
    {
        double block = 0, allow = 0;
        foreach (var listing in listings.Where(l => l.Listed))
        {
            if (listing.Kind == ZoneKind.Block)
            {
                block += listing.Weight;
            }
            else
            {
                allow += listing.Weight;
            }
        }

        var verdict = local?.List switch
        {
            HostedListKind.Allow => Verdict.Whitelisted,
            HostedListKind.Block => Verdict.Listed,
            _ when allow > 0 && allow >= block => Verdict.Whitelisted,
            _ when block > 0 => Verdict.Listed,
            _ when listings.Any(l => l.Status != ZoneStatus.Disabled) && listings.All(l => l.Status is not ZoneStatus.Ok) => Verdict.Unknown,
            _ => Verdict.Clean,
        };
        return new ReputationReport(ip, verdict, block - allow, listings, local, now);
    }

    private async Task<HostedListMatch> MatchHostedListsAsync(IPAddress address, MailContext? mail, CancellationToken cancellationToken)
    {
        using var budget = cache.StorageBudget(cancellationToken);
        return await hostedLists.MatchAsync(address, mail, budget.Token);
    }

    // The listings, and whether the table cache failed to answer (the call then went on without it).
    private async Task<(IReadOnlyList<ZoneListing> Listings, bool Degraded)> LookupZonesAsync(IPAddress address, string ip, CancellationToken cancellationToken)
    {
        var all = zones.All;
        var results = new ZoneListing?[all.Count];
        var missing = new List<int>();
        for (var i = 0; i < all.Count; i++)
        {
            if (zoneStates.IsDisabled(all[i].Name, out var health))
            {
                // Zone health took it out: no query, no timeout spent on it, nothing counted.
                results[i] = DisabledListing(all[i], health);
            }
            else if (cache.Enabled && cache.TryGetFromMemory(all[i].Name, ip, out var remembered))
            {
                zoneStatistics.Count(all[i].Name, remembered, ListingSource.Cache);
                results[i] = ToListing(all[i], ip, remembered, ListingSource.Cache);
            }
            else
            {
                missing.Add(i);
            }
        }

        var degraded = false;
        if (missing.Count > 0 && cache.Enabled)
        {
            var stored = await cache.ReadAsync(ip, cancellationToken);
            degraded = stored is null;
            stored ??= new Dictionary<string, ZoneLookup>();
            missing.RemoveAll(i =>
            {
                if (!stored.TryGetValue(all[i].Name, out var lookup))
                {
                    return false;
                }

                zoneStatistics.Count(all[i].Name, lookup, ListingSource.Cache);
                results[i] = ToListing(all[i], ip, lookup, ListingSource.Cache);
                return true;
            });
        }

        if (missing.Count > 0)
        {
            // Zones are asked concurrently, each bounded by its own timeout: the answer takes one timeout, not the sum.
            var lookups = await Task.WhenAll(missing.Select(i => AskAsync(all[i], address, cancellationToken)));
            for (var j = 0; j < missing.Count; j++)
            {
                results[missing[j]] = ToListing(all[missing[j]], ip, lookups[j], ListingSource.Dns);
            }

            // When the read just failed, storage is not answering: the write would only wait out its budget too.
            if (cache.Enabled && !degraded)
            {
                // Behind the answer: these listings are this call's answer whether or not the table takes them.
                cache.WriteBehind(ip, missing.Select((i, j) => (all[i].Name, lookups[j])).ToList());
            }
        }

        return (results!, degraded);
    }

    // Timed and counted for GET /v1/zones; a bad answer also counts against the zone's health.
    private async Task<ZoneLookup> AskAsync(DnsblZone zone, IPAddress address, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var lookup = await resolver.LookupAsync(zone, address, cancellationToken);
        zoneStatistics.Count(zone.Name, lookup, ListingSource.Dns, timeProvider.GetElapsedTime(started));
        zoneHealth.Report(zone, lookup);
        return lookup;
    }

    private static ZoneListing DisabledListing(DnsblZone zone, ZoneHealthRecord health) => new(
        zone.Name, zone.Kind, false, [], [], [], ZoneStatus.Disabled, ListingSource.Dns, zone.Weight,
        string.Create(CultureInfo.InvariantCulture, $"Not asked: zone health disabled this zone at {health.Since?.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC ({health.Reason})."),
        null);

    private static ZoneListing ToListing(DnsblZone zone, string ip, ZoneLookup lookup, ListingSource source) => new(
        zone.Name,
        zone.Kind,
        lookup.Listed,
        lookup.Codes,
        lookup.Meanings,
        lookup.Reasons,
        lookup.Status,
        source,
        zone.Weight,
        lookup.Error,
        lookup.Listed ? zone.DelistUrl(ip) : null);
}
