using System.Net;
using BlocklistApi.Hosting;
using BlocklistApi.Net;
using BlocklistApi.PublicPage;
using BlocklistApi.Storage;
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

    private readonly LogThrottle _staleWarnings = new(timeProvider, TimeSpan.FromMinutes(1));
    private volatile Snapshot? _snapshot;

    // The last lists read from storage, kept through invalidation: what decides while storage does not answer.
    private volatile Snapshot? _lastRead;

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
            return ApiError.Invalid("'reason' is required: say why this range is listed (the sender may see it).", "reason");
        }

        if (reason.Length > MaxReasonLength)
        {
            return ApiError.Invalid($"'reason' is longer than {MaxReasonLength} characters.", "reason");
        }

        if (request.ExpiresAt is { } expires && expires <= now)
        {
            return ApiError.Invalid($"'expiresAt' ({expires:O}) is not in the future; leave it out for an entry that does not expire.", "expiresAt");
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
    /// <remarks>
    /// Lists changed by another instance are re-read within Lists:RefreshInterval, bounded by
    /// <paramref name="cancellationToken"/> (callers pass their storage budget). When storage does not answer, the
    /// last lists this instance read decide, and the match says it is degraded (with no lists at all yet, nothing matches).
    /// </remarks>
    public Task<HostedListMatch> MatchAsync(IPAddress address, CancellationToken cancellationToken) => MatchAsync(address, null, cancellationToken);

    /// <summary>
    /// As <see cref="MatchAsync(IPAddress, CancellationToken)"/>, and when <paramref name="mail"/> names the recipient,
    /// a scoped allow entry for it (an approved whitelist request) counts as an allow entry too. The scoped entries are
    /// in the same in-memory snapshot: no storage read per call.
    /// </summary>
    public async Task<HostedListMatch> MatchAsync(IPAddress address, MailContext? mail, CancellationToken cancellationToken)
    {
        var (snapshot, degraded) = await CurrentAsync(cancellationToken);
        var now = timeProvider.GetUtcNow();
        var entry = snapshot.Index.Match(address, now);
        if (entry?.List != HostedListKind.Allow && mail is not null && MatchScoped(snapshot.Scoped, address, mail, now) is { } scoped)
        {
            entry = scoped;
        }

        return new HostedListMatch(entry, degraded);
    }

    /// <summary>Adds or replaces the scoped allow entry of an approved whitelist request; it counts at once on this instance.</summary>
    public async Task PutScopedAsync(ScopedAllowEntry entry, CancellationToken cancellationToken)
    {
        await store.UpsertScopedAsync(entry, cancellationToken);
        Invalidate();
        Log.ScopedEntryWritten(logger, entry.Range, entry.Id);
    }

    /// <summary>
    /// The scoped entry that lets <paramref name="address"/> reach <paramref name="mail"/>'s recipient: one for the
    /// address itself (a +tag sub-address counts as its mailbox), or for its domain; unexpired, with the sender domain
    /// it names (or a subdomain) when the caller named a sender. The most specific range wins.
    /// </summary>
    internal static HostedListEntry? MatchScoped(IReadOnlyDictionary<string, (IpNetwork Range, ScopedAllowEntry Entry)[]> scoped, IPAddress address, MailContext mail, DateTimeOffset now)
    {
        if (scoped.Count == 0)
        {
            return null;
        }

        var recipient = mail.Recipient.Trim().Trim('<', '>').TrimEnd('.').ToLowerInvariant();
        var (local, domain) = MailAddresses.Split(recipient);
        var plus = local?.IndexOf('+', StringComparison.Ordinal) ?? -1;
        string[] keys = local is null ? [recipient] : plus > 0 ? [recipient, local![..plus] + "@" + domain, domain] : [recipient, domain];
        (IpNetwork Range, ScopedAllowEntry Entry)? best = null;
        foreach (var key in keys)
        {
            foreach (var candidate in scoped.GetValueOrDefault(key) ?? [])
            {
                var (range, entry) = candidate;
                if ((entry.ExpiresAt is { } expires && expires <= now) || !range.Contains(address)
                    || (entry.SenderDomain is { } wanted && mail.SenderDomain is { } sender && !Dns.DnsNames.IsSameOrSubdomain(sender, wanted)))
                {
                    continue;
                }

                if (best is null || range.PrefixLength > best.Value.Range.PrefixLength)
                {
                    best = candidate;
                }
            }
        }

        return best is { Entry: var e } ? new HostedListEntry(HostedListKind.Allow, e.Range, e.Reason, e.CreatedAt, e.CreatedAt, e.ExpiresAt) : null;
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
    // read again. If storage cannot be reached, the last lists read are used (logged once a minute) rather than failing
    // the mail server's call.
    private async Task<(Snapshot Snapshot, bool Degraded)> CurrentAsync(CancellationToken cancellationToken)
    {
        var generation = Volatile.Read(ref _generation);
        var snapshot = _snapshot is { } current && current.Generation == generation ? current : null;
        var now = timeProvider.GetUtcNow();
        if (snapshot is not null && now - snapshot.CheckedAt < _refreshInterval)
        {
            return (snapshot, false);
        }

        try
        {
            var version = await store.GetVersionAsync(cancellationToken);
            if (snapshot is not null && snapshot.Version == version)
            {
                Keep(snapshot with { CheckedAt = now });
                return (snapshot, false);
            }

            var entries = await store.ListAsync(list: null, cancellationToken);
            var scoped = await store.ListScopedAsync(cancellationToken);
            snapshot = new Snapshot(version, generation, now, entries
                .Select(e => (Range: IpNetwork.FromText(e.Range), Entry: e))
                .OrderByDescending(e => e.Range.PrefixLength)
                .ToArray())
            {
                Scoped = scoped
                    .GroupBy(e => e.Recipient, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Select(e => (IpNetwork.FromText(e.Range), e)).ToArray(), StringComparer.Ordinal),
            };
            Keep(snapshot);
            return (snapshot, false);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, CancellationToken.None) || StorageFailures.IsRejected(ex))
        {
            // Cancelled by the caller's storage budget or not, the lists could not be read: use what we have.
            if (_staleWarnings.ShouldLog(out var suppressed))
            {
                Log.UsingStaleSnapshot(logger, suppressed, ex);
            }

            return (_lastRead ?? Snapshot.Empty, true);
        }
    }

    private void Keep(Snapshot snapshot)
    {
        _lastRead = snapshot;
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
        public static Snapshot Empty { get; } = new(null, -1, DateTimeOffset.MinValue, []);

        public HostedListIndex Index { get; } = new(Entries);

        /// <summary>Scoped allow entries by their recipient address or domain.</summary>
        public IReadOnlyDictionary<string, (IpNetwork Range, ScopedAllowEntry Entry)[]> Scoped { get; init; } =
            new Dictionary<string, (IpNetwork Range, ScopedAllowEntry Entry)[]>(StringComparer.Ordinal);
    }

    private static partial class Log
    {
        [LoggerMessage(2001, LogLevel.Information, "Hosted {List} list entry {Range} written")]
        public static partial void EntryWritten(ILogger logger, HostedListKind list, string range);

        [LoggerMessage(2002, LogLevel.Information, "Hosted {List} list entry {Range} deleted")]
        public static partial void EntryDeleted(ILogger logger, HostedListKind list, string range);

        [LoggerMessage(2004, LogLevel.Information, "Scoped allow entry {Range} written for whitelist request {RequestId}")]
        public static partial void ScopedEntryWritten(ILogger logger, string range, string requestId);

        [LoggerMessage(2003, LogLevel.Warning, "Hosted lists could not be read from storage in time; using the last copy in memory ({Suppressed} more since the last warning)")]
        public static partial void UsingStaleSnapshot(ILogger logger, int suppressed, Exception exception);
    }
}
