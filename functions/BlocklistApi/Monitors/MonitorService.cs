using System.Net;
using System.Net.Sockets;
using BlocklistApi.Net;
using BlocklistApi.Reputation;
using BlocklistApi.Zones;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Monitors;

/// <summary>
/// Our own sending addresses, watched on every enabled block zone: admins keep the ranges, the monitor timer asks
/// each zone about each address and alerts the admins when a listing appears or goes (<see cref="MonitorAlerts"/>).
/// Only a zone's usable answer changes a listing: a timeout or error leaves it as it was, and a zone that is not
/// enabled (degraded or disabled by zone health) is not asked, so a broken zone alerts nobody.
/// </summary>
public sealed partial class MonitorService(
    MonitorStore store,
    MonitorAlerts alerts,
    DnsblZones zones,
    DnsblResolver resolver,
    ZoneStates zoneStates,
    ZoneHealthService zoneHealth,
    IOptions<MonitorOptions> options,
    TimeProvider timeProvider,
    ILogger<MonitorService> logger)
{
    /// <summary>The longest range: /24 for IPv4, /120 for IPv6 (256 addresses).</summary>
    public const int MinIpv4PrefixLength = 24;
    public const int MinIpv6PrefixLength = 120;
    private const int MaxLabelLength = 200;
    private const int Parallelism = 16;

    public async Task<MonitoredRanges> ListAsync(CancellationToken cancellationToken)
    {
        var ranges = await store.ListRangesAsync(cancellationToken);
        var listings = await store.ListListingsAsync(cancellationToken);
        var lastCheck = await store.GetLastCheckAsync(cancellationToken);
        var shown = ranges.OrderBy(r => r.Range, IpNetworkOrder.Instance).Select(r => Show(r, listings)).ToList();
        return new MonitoredRanges(shown, shown.Sum(r => r.Addresses), options.Value.MaxAddresses, lastCheck);
    }

    public async Task<MonitoredRange?> GetAsync(IpNetwork range, CancellationToken cancellationToken) =>
        await store.GetRangeAsync(range, cancellationToken) is { } record
            ? Show(record, await store.ListListingsAsync(cancellationToken))
            : null;

    /// <summary>
    /// Monitors <paramref name="range"/> (or relabels it): at most /24 or /120, no overlap with another monitored
    /// range, Monitors:MaxAddresses in all.
    /// </summary>
    public async Task<Outcome<MonitorWrite>> PutAsync(IpNetwork range, MonitorRequest request, CancellationToken cancellationToken)
    {
        if (Validate(range, request) is { } invalid)
        {
            return invalid;
        }

        var label = string.IsNullOrWhiteSpace(request.Label) ? null : request.Label.Trim();
        var ranges = await store.ListRangesAsync(cancellationToken);
        var others = ranges.Where(r => r.Range != range).ToList();
        if (others.FirstOrDefault(r => Overlap(r.Range, range)) is { } overlapping)
        {
            return new ApiError(ApiErrorKind.Conflict, $"{range} overlaps {overlapping.Range}, which is monitored already: delete that one first, or monitor the part that is not covered.");
        }

        var total = others.Sum(r => Size(r.Range)) + Size(range);
        if (total > options.Value.MaxAddresses)
        {
            return new ApiError(ApiErrorKind.Conflict, $"Monitoring {range} would make {total} addresses, more than Monitors__MaxAddresses ({options.Value.MaxAddresses}). Delete a range first or raise the setting.");
        }

        var now = timeProvider.GetUtcNow();
        var existing = ranges.FirstOrDefault(r => r.Range == range);
        var record = new MonitorRecord(range, label, existing?.CreatedAt ?? now, now);
        await store.UpsertRangeAsync(record, cancellationToken);
        Log.RangeWritten(logger, range.ToString());
        return new MonitorWrite(Show(record, await store.ListListingsAsync(cancellationToken)), existing is null);
    }

    public async Task<bool> DeleteAsync(IpNetwork range, CancellationToken cancellationToken)
    {
        var deleted = await store.DeleteRangeAsync(range, cancellationToken);
        if (deleted)
        {
            Log.RangeDeleted(logger, range.ToString());
        }

        return deleted;
    }

    /// <summary>
    /// One monitor run: every address of every range against every enabled block zone (16 lookups at a time). A new
    /// listing is stored and then alerted; a listing that is gone is deleted and then alerted; the store decides,
    /// so a run that overlaps another (or is repeated) alerts nothing twice. An alert whose mail cannot be queued
    /// undoes its change, so the next run alerts again.
    /// </summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var ranges = await store.ListRangesAsync(cancellationToken);
        var listings = await store.ListListingsAsync(cancellationToken);
        var states = await zoneStates.ReadAsync(cancellationToken);
        var asked = zones.All
            .Where(z => z.Kind == ZoneKind.Block && (states.GetValueOrDefault(z.Name)?.State ?? ZoneState.Enabled) == ZoneState.Enabled)
            .ToList();

        // Listings of ranges no longer monitored or of zones no longer configured go without an alert.
        var rangeKeys = ranges.Select(r => r.Range.ToKey()).ToHashSet(StringComparer.Ordinal);
        var configured = zones.All.Select(z => z.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in listings.Where(l => !rangeKeys.Contains(l.RangeKey) || !configured.Contains(l.Listing.Zone)))
        {
            await store.DeleteListingAsync(stale, cancellationToken);
        }

        var known = listings.ToDictionary(l => (l.Listing.Address, l.Listing.Zone));
        var work = ranges
            .SelectMany(r => Addresses(r.Range).Select(address => (Range: r, Address: address)))
            .SelectMany(a => asked.Select(zone => (a.Range, a.Address, Zone: zone)));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(work, parallel, async (item, token) =>
        {
            var lookup = await resolver.LookupAsync(item.Zone, item.Address, token);
            zoneHealth.Report(item.Zone, lookup);
            if (lookup.Status == ZoneStatus.Ok)
            {
                var address = item.Address.ToString();
                await ApplyAsync(item.Range, item.Zone, address, lookup, known.GetValueOrDefault((address, item.Zone.Name)), now, token);
            }
        });
        await store.SetLastCheckAsync(now, cancellationToken);
        Log.Checked(logger, ranges.Sum(r => Size(r.Range)), asked.Count);
    }

    private async Task ApplyAsync(MonitorRecord range, DnsblZone zone, string address, ZoneLookup lookup, ListingRecord? current, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (lookup.Listed)
        {
            var listing = new MonitorListing(address, zone.Name, lookup.Codes, lookup.Meanings, lookup.Reasons, zone.DelistUrl(address), current?.Listing.Since ?? now);
            if (current is null)
            {
                var inserted = await store.InsertListingAsync(range.Range.ToKey(), listing, cancellationToken);
                if (inserted.Written)
                {
                    var alert = Alert(MonitorChange.Listed, range, listing, now);
                    if (!await alerts.SendAsync(alert, cancellationToken))
                    {
                        var stored = new ListingRecord(range.Range.ToKey(), listing, inserted.ETag);
                        await UndoAsync(alert, () => store.DeleteListingAsync(stored, cancellationToken), cancellationToken);
                    }
                }
            }
            else if (!current.Listing.Codes.Order().SequenceEqual(listing.Codes.Order()))
            {
                // Still listed, for other reasons: kept up to date, not alerted.
                await store.UpdateListingAsync(current, listing, cancellationToken);
            }
        }
        else if (current is not null && await store.DeleteListingAsync(current, cancellationToken))
        {
            var alert = Alert(MonitorChange.Delisted, range, current.Listing, now);
            if (!await alerts.SendAsync(alert, cancellationToken))
            {
                await UndoAsync(alert, () => store.InsertListingAsync(current.RangeKey, current.Listing, cancellationToken), cancellationToken);
            }
        }
    }

    /// <summary>
    /// The alert's mail could not be queued: the stored change is undone, so the next run sees the change again and
    /// alerts again (at least once, never lost while storage answers). If storage refuses the undo too, the alert's
    /// warning in the log is all that is left, and an error says so.
    /// </summary>
    private async Task UndoAsync(MonitorAlert alert, Func<Task> undo, CancellationToken cancellationToken)
    {
        try
        {
            await undo();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            alerts.UndoFailed(alert, ex);
        }
    }

    private static MonitorAlert Alert(MonitorChange change, MonitorRecord range, MonitorListing listing, DateTimeOffset now) => new(
        change, listing.Address, range.Range.ToString(), range.Label, listing.Zone, listing.Codes, listing.Meanings, listing.Reasons,
        listing.DelistUrl, listing.Since, now);

    private static ApiError? Validate(IpNetwork range, MonitorRequest request)
    {
        var v4 = range.Network.AddressFamily == AddressFamily.InterNetwork;
        if (range.PrefixLength < (v4 ? MinIpv4PrefixLength : MinIpv6PrefixLength))
        {
            return ApiError.Invalid($"{range} is too big to monitor: ranges go up to /{MinIpv4PrefixLength} for IPv4 and /{MinIpv6PrefixLength} for IPv6 (256 addresses). Monitor it as several ranges.");
        }

        if (request.Label is { } label && (label.Trim().Length > MaxLabelLength || label.Any(char.IsControl)))
        {
            return ApiError.Invalid($"'label' must be at most {MaxLabelLength} characters, without control characters.", "label");
        }

        return null;
    }

    private static MonitoredRange Show(MonitorRecord record, IReadOnlyList<ListingRecord> listings) => new(
        record.Range.ToString(),
        record.Label,
        Size(record.Range),
        record.CreatedAt,
        record.UpdatedAt,
        listings.Where(l => l.RangeKey == record.Range.ToKey())
            .Select(l => l.Listing)
            .OrderBy(l => IpAddressParser.ParseOrNull(l.Address), IpAddressOrder.Instance)
            .ThenBy(l => l.Zone, StringComparer.Ordinal)
            .ToList());

    internal static int Size(IpNetwork range) => 1 << ((range.Network.AddressFamily == AddressFamily.InterNetwork ? 32 : 128) - range.PrefixLength);

    internal static bool Overlap(IpNetwork a, IpNetwork b) => a.Contains(b.Network) || b.Contains(a.Network);

    /// <summary>Every address of the range, in order.</summary>
    internal static IEnumerable<IPAddress> Addresses(IpNetwork range)
    {
        var first = range.Network.GetAddressBytes();
        for (var i = 0; i < Size(range); i++)
        {
            var bytes = (byte[])first.Clone();
            var carry = i;
            for (var b = bytes.Length - 1; b >= 0 && carry > 0; b--)
            {
                var sum = bytes[b] + (carry & 0xFF);
                bytes[b] = (byte)sum;
                carry = (carry >> 8) + (sum >> 8);
            }

            yield return new IPAddress(bytes);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1503, LogLevel.Information, "Monitored range {Range} written")]
        public static partial void RangeWritten(ILogger logger, string range);

        [LoggerMessage(1504, LogLevel.Information, "Monitored range {Range} deleted")]
        public static partial void RangeDeleted(ILogger logger, string range);

        [LoggerMessage(1505, LogLevel.Information, "Monitor run checked {Addresses} addresses against {Zones} enabled block zones")]
        public static partial void Checked(ILogger logger, int addresses, int zones);
    }
}

/// <summary>Addresses in numeric order, IPv4 before IPv6.</summary>
internal sealed class IpAddressOrder : IComparer<IPAddress?>
{
    public static IpAddressOrder Instance { get; } = new();

    public int Compare(IPAddress? x, IPAddress? y)
    {
        if (x is null || y is null)
        {
            return (x is null).CompareTo(y is null);
        }

        var a = x.GetAddressBytes();
        var b = y.GetAddressBytes();
        return a.Length != b.Length ? a.Length.CompareTo(b.Length) : a.AsSpan().SequenceCompareTo(b);
    }
}

/// <summary>Ranges in the order of their network address, then prefix length.</summary>
internal sealed class IpNetworkOrder : IComparer<IpNetwork>
{
    public static IpNetworkOrder Instance { get; } = new();

    public int Compare(IpNetwork x, IpNetwork y)
    {
        var byAddress = IpAddressOrder.Instance.Compare(x.Network, y.Network);
        return byAddress != 0 ? byAddress : x.PrefixLength.CompareTo(y.PrefixLength);
    }
}
