using BlocklistApi.Diagnostics;
using BlocklistApi.Notifications;
using BlocklistApi.Reputation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Whitelist;

/// <summary>
/// The whitelist-requests queue's work: a confirmed request gets a diagnostics snapshot of its address (rDNS, FCrDNS,
/// HELO and SPF where known, every listing with its codes and removal page), stored on the request, and every
/// Notifications:AdminEmails address gets a mail with the request, the snapshot, and approve and deny links.
/// Idempotent: a request already reviewed, decided, or not confirmed is left alone, so a repeated message does nothing.
/// </summary>
public sealed partial class WhitelistReview(
    WhitelistRequestStore store,
    WhitelistLinks links,
    DiagnosticsService diagnostics,
    ReputationService reputation,
    EmailOutbox outbox,
    IOptions<NotificationOptions> notifications,
    TimeProvider timeProvider,
    ILogger<WhitelistReview> logger)
{
    private static readonly string[] s_snapshotChecks = [DiagnosticsService.RdnsCheck, DiagnosticsService.FcrdnsCheck, DiagnosticsService.HeloCheck, DiagnosticsService.SpfCheck, DiagnosticsService.ListingsCheck];

    private readonly WhitelistMails _mails = new(links);

    public async Task ReviewAsync(WhitelistReviewMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var request = WhitelistRequestStore.IsValidId(message.Id) ? await store.GetAsync(message.Id, cancellationToken) : null;
        if (request is null || request.Status != WhitelistStatus.Pending || request.AdminsNotifiedAt is not null || request.Decision is not null)
        {
            Log.NothingToReview(logger, message.Id);
            return;
        }

        if (request.Snapshot is null)
        {
            var snapshot = await SnapshotAsync(request, cancellationToken);
            (request, _) = await store.UpdateAsync<bool>(message.Id, current => (current.Snapshot is null ? current with { Snapshot = snapshot } : null, true), cancellationToken);
        }

        var reviewed = request ?? throw new InvalidOperationException($"Whitelist request {message.Id} disappeared during its review.");
        var admins = notifications.Value.AdminEmails;
        foreach (var admin in admins)
        {
            await outbox.EnqueueAsync(_mails.Review(reviewed, admin), cancellationToken);
        }

        if (admins.Count == 0)
        {
            Log.NoAdmins(logger, reviewed.Id);
        }

        var now = timeProvider.GetUtcNow();
        await store.UpdateAsync<bool>(reviewed.Id, current => (current.AdminsNotifiedAt is null
            ? current.With(new(now, "queue", "reviewed", $"diagnostics attached; {admins.Count} admin(s) notified")) with { AdminsNotifiedAt = now }
            : null, true), cancellationToken);
        Log.Reviewed(logger, reviewed.Id, admins.Count);
    }

    // The address itself, or a range's first address; the snapshot never fails the review (checks report their own errors).
    private async Task<WhitelistSnapshot> SnapshotAsync(StoredRequest request, CancellationToken cancellationToken)
    {
        var address = request.Range.Network;
        var reportTask = diagnostics.RunAsync(address, helo: null, request.SenderDomain, cancellationToken);
        var listingsTask = reputation.CheckAsync(address, cancellationToken);
        await Task.WhenAll(reportTask, listingsTask);
        var report = (await reportTask).Value;
        var checks = report?.Checks
            .Where(c => s_snapshotChecks.Contains(c.Name))
            .Select(c => new WhitelistSnapshotCheck(c.Name, WhitelistService.Word(c.Status), c.Detail))
            .ToList() ?? [];
        var listings = (await listingsTask).Listings
            .Select(l => new WhitelistSnapshotListing(l.Zone, l.Listed, l.Codes, l.Meanings, l.DelistUrl))
            .ToList();
        return new WhitelistSnapshot(timeProvider.GetUtcNow(), address.ToString(), checks, listings);
    }

    private static partial class Log
    {
        [LoggerMessage(13011, LogLevel.Information, "Whitelist request {RequestId} reviewed: diagnostics attached, {AdminCount} admin(s) notified")]
        public static partial void Reviewed(ILogger logger, string requestId, int adminCount);

        [LoggerMessage(13012, LogLevel.Debug, "Whitelist request {RequestId} needs no review (unknown, unconfirmed, decided or already reviewed)")]
        public static partial void NothingToReview(ILogger logger, string requestId);

        [LoggerMessage(13013, LogLevel.Warning, "Whitelist request {RequestId} was reviewed but no admin was notified: set Notifications__AdminEmails__0")]
        public static partial void NoAdmins(ILogger logger, string requestId);
    }
}
