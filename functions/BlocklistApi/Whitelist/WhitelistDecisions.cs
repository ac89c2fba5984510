using BlocklistApi.Lists;
using BlocklistApi.Notifications;
using Microsoft.Extensions.Logging;

namespace BlocklistApi.Whitelist;

/// <summary>
/// The whitelist-approvals queue's work: applies the decision recorded on a request, idempotently. Approve writes the
/// scoped allow entry (keyed by the request, so writing it again changes nothing) and then the status; either outcome
/// then mails the requester once (the request remembers it did). A second message for a decided, notified request
/// changes nothing and sends nothing.
/// </summary>
public sealed partial class WhitelistDecisions(
    WhitelistRequestStore store,
    WhitelistLinks links,
    HostedListService hostedLists,
    EmailOutbox outbox,
    TimeProvider timeProvider,
    ILogger<WhitelistDecisions> logger)
{
    private readonly WhitelistMails _mails = new(links);

    public async Task ApplyAsync(WhitelistDecisionMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var request = WhitelistRequestStore.IsValidId(message.Id) ? await store.GetAsync(message.Id, cancellationToken) : null;
        if (request?.Decision is not { } decision)
        {
            Log.NoDecision(logger, message.Id);
            return;
        }

        if (request.RequesterNotifiedAt is not null)
        {
            Log.AlreadyApplied(logger, request.Id);
            return;
        }

        var now = timeProvider.GetUtcNow();
        var status = decision.Kind == WhitelistDecision.Approve ? WhitelistStatus.Approved : WhitelistStatus.Denied;
        WhitelistEntrySummary? entry = null;
        if (decision.Kind == WhitelistDecision.Approve)
        {
            var recipient = decision.Scope == WhitelistScope.Domain ? Net.MailAddresses.Split(request.Recipient).Domain : request.Recipient;
            entry = new WhitelistEntrySummary(request.Range.ToString(), decision.Scope, recipient, decision.ExpiresAt);
            await hostedLists.PutScopedAsync(
                new ScopedAllowEntry(request.Id, entry.Range, recipient, request.SenderDomain, $"Whitelist request {request.Id} for {recipient}", now, decision.ExpiresAt),
                cancellationToken);
        }

        var id = request.Id;
        (request, _) = await store.UpdateAsync<bool>(id, current => (current.Status == status
            ? null
            : current.With(new(now, decision.By, WhitelistService.Word(status), entry is null ? null : $"{entry.Range} for {entry.Recipient}")) with { Status = status, Entry = entry }, true), cancellationToken);

        // The state is stored; now the requester hears of it, once.
        await outbox.EnqueueAsync(_mails.Decided(request!), cancellationToken);
        await store.UpdateAsync<bool>(id, current => (current.RequesterNotifiedAt is null ? current with { RequesterNotifiedAt = now } : null, true), cancellationToken);
        Log.Applied(logger, id, status);
    }

    private static partial class Log
    {
        [LoggerMessage(13021, LogLevel.Information, "Whitelist request {RequestId} is now {Status}; the requester was mailed")]
        public static partial void Applied(ILogger logger, string requestId, WhitelistStatus status);

        [LoggerMessage(13022, LogLevel.Warning, "Whitelist decision message for {RequestId}: no such request or no recorded decision; ignored")]
        public static partial void NoDecision(ILogger logger, string requestId);

        [LoggerMessage(13023, LogLevel.Debug, "Whitelist request {RequestId} was already decided and its requester mailed; nothing to do")]
        public static partial void AlreadyApplied(ILogger logger, string requestId);
    }
}
