using System.Net;
using BlocklistApi.Http;
using BlocklistApi.Net;
using BlocklistApi.PublicPage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Lists;

/// <summary>Our hosted block and allow lists: admin edits, and the match that feeds every reputation verdict.</summary>
public sealed partial class HostedListService(
    HostedListStore store,
    IOptions<HostedListOptions> options,
    IOptions<PublicPageOptions> page,
    TimeProvider timeProvider,
    ILogger<HostedListService> logger)
{
    private readonly TimeSpan _refreshInterval = options.Value.RefreshInterval;
    private const int MaxReasonLength = 500;

    private volatile Snapshot? _snapshot;

    // Bumped by every write through this instance, so a read racing with the write cannot keep an older snapshot.
    private int _generation;

    public Task<IReadOnlyList<HostedListEntry>> ListAsync(HostedListKind list, CancellationToken cancellationToken) =>
        store.ListAsync(list, cancellationToken);

    public Task<HostedListEntry?> GetAsync(HostedListKind list, IpNetwork range, CancellationToken cancellationToken) =>
        store.GetAsync(list, range, cancellationToken);

    public async Task<Outcome<HostedListWrite>> PutAsync(HostedListKind list, IpNetwork range, HostedListEntryRequest request, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var reason = request.Reason?.Trim();
        if (string.IsNullOrEmpty(reason))
        {
            return ApiError.Invalid("'reason' is required: say why this range is listed (the sender may see it).");
        }

        if (reason.Length > MaxReasonLength)
        {
            return ApiError.Invalid($"'reason' is longer than {MaxReasonLength} characters.");
        }

        if (request.ExpiresAt is { } expires && expires <= now)
        {
            return ApiError.Invalid($"'expiresAt' ({expires:O}) is not in the future; leave it out for an entry that does not expire.");
        }

        var existing = await store.GetAsync(list, range, cancellationToken);
        var entry = new HostedListEntry(list, range.ToString(), reason, existing?.CreatedAt ?? now, now, request.ExpiresAt);
        await store.UpsertAsync(entry, cancellationToken);
        Invalidate();
        Log.EntryWritten(logger, list, entry.Range);
        return new HostedListWrite(entry, existing is null);
    }

    /// <summary>The list as an rbldnsd data file (<see cref="RbldnsdExport"/>), read fresh from storage.</summary>
    public async Task<string> ExportRbldnsdAsync(HostedListKind list, CancellationToken cancellationToken)
    {
        var entries = await store.ListAsync(list: null, cancellationToken);
        return RbldnsdExport.Format(list, entries, timeProvider.GetUtcNow(), page.Value.Url);
    }

    public async Task<bool> DeleteAsync(HostedListKind list, IpNetwork range, CancellationToken cancellationToken)
    {
        var deleted = await store.DeleteAsync(list, range, cancellationToken);
        Invalidate();
        if (deleted)
        {
            Log.EntryDeleted(logger, list, range.ToString());
        }

        return deleted;
    }

    /// <summary>
    /// The entry that decides for <paramref name="address"/>: an allow entry wins over a block entry (an approved
    /// whitelist request overrides our own block), and within a list the most specific range wins. Expired entries do not count.
    /// </summary>
    public async Task<HostedListEntry?> MatchAsync(IPAddress address, CancellationToken cancellationToken)
    {
        var snapshot = await CurrentAsync(cancellationToken);
        return snapshot.Index.Match(address, timeProvider.GetUtcNow());
    }

    /// <summary>Pure matching over entries sorted most specific first.</summary>
    internal static HostedListEntry? Match(IReadOnlyList<(IpNetwork Range, HostedListEntry Entry)> entries, IPAddress address, DateTimeOffset now)
    {
        HostedListEntry? block = null;
        foreach (var (range, entry) in entries)
        {
            if ((entry.ExpiresAt is { } expires && expires <= now) || !range.Contains(address))
            {
                continue;
            }

            if (entry.List == HostedListKind.Allow)
            {
                return entry;
            }

            block ??= entry;
        }

        return block;
    }

    // At most once per RefreshInterval a point read tells whether any instance changed the lists; only then are they
    // read again. If storage cannot be reached, the last snapshot is used (logged) rather than failing the mail server's call.
    private async Task<Snapshot> CurrentAsync(CancellationToken cancellationToken)
    {
        var generation = Volatile.Read(ref _generation);
        var snapshot = _snapshot is { } current && current.Generation == generation ? current : null;
        var now = timeProvider.GetUtcNow();
        if (snapshot is not null && now - snapshot.CheckedAt < _refreshInterval)
        {
            return snapshot;
        }

        string? version;
        try
        {
            version = await store.GetVersionAsync(cancellationToken);
        }
        catch (Exception ex) when (snapshot is not null && Problems.IsUnavailableDependency(ex))
        {
            Log.UsingStaleSnapshot(logger, ex);
            return snapshot;
        }

        if (snapshot is not null && snapshot.Version == version)
        {
            Keep(snapshot with { CheckedAt = now });
            return snapshot;
        }

        var entries = await store.ListAsync(list: null, cancellationToken);
        snapshot = new Snapshot(version, generation, now, entries
            .Select(e => (Range: IpNetwork.FromText(e.Range), Entry: e))
            .OrderByDescending(e => e.Range.PrefixLength)
            .ToArray());
        Keep(snapshot);
        return snapshot;
    }

    private void Keep(Snapshot snapshot)
    {
        if (snapshot.Generation == Volatile.Read(ref _generation))
        {
            _snapshot = snapshot;
        }
    }

    private void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _snapshot = null;
    }

    private sealed record Snapshot(string? Version, int Generation, DateTimeOffset CheckedAt, IReadOnlyList<(IpNetwork Range, HostedListEntry Entry)> Entries)
    {
        public HostedListIndex Index { get; } = new(Entries);
    }

    private static partial class Log
    {
        [LoggerMessage(2001, LogLevel.Information, "Hosted {List} list entry {Range} written")]
        public static partial void EntryWritten(ILogger logger, HostedListKind list, string range);

        [LoggerMessage(2002, LogLevel.Information, "Hosted {List} list entry {Range} deleted")]
        public static partial void EntryDeleted(ILogger logger, HostedListKind list, string range);

        [LoggerMessage(2003, LogLevel.Warning, "Hosted lists could not be read from storage; using the last copy in memory")]
        public static partial void UsingStaleSnapshot(ILogger logger, Exception exception);
    }
}
