using System.Text.Json;
using BlocklistApi.Auth;
using BlocklistApi.Notifications;
using BlocklistApi.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Whitelist;

/// <summary>
/// Whitelist requests as the routes see them: submit (stored, then the confirmation mail queued), confirm (double
/// opt-in, then the review queued), an admin's decision (recorded, then queued for <see cref="WhitelistDecisions"/>),
/// the requester's status, and the admins' list. Every change is written with If-Match together with its history entry
/// (who, when, what); nothing here answers before the state it reports is stored.
/// </summary>
public sealed partial class WhitelistService(
    WhitelistRequestStore store,
    WhitelistLinks links,
    EmailOutbox outbox,
    IQueueStorage queues,
    FunctionKeyAuthorizer keys,
    IOptions<WhitelistOptions> options,
    TimeProvider timeProvider,
    ILogger<WhitelistService> logger)
{
    /// <summary>The queue of confirmed requests to review (logical name).</summary>
    public const string ReviewQueue = "whitelist-requests";

    /// <summary>The queue of decisions to apply (logical name).</summary>
    public const string DecisionQueue = "whitelist-approvals";

    public const int MaxPageSize = 100;

    private readonly WhitelistOptions _options = options.Value;
    private readonly WhitelistMails _mails = new(links);

    public async Task<Outcome<WhitelistRequestState>> SubmitAsync(WhitelistRequestSubmission submission, CancellationToken cancellationToken)
    {
        if (!WhitelistRequestValidation.TryValidate(submission, out var valid, out var error))
        {
            return error;
        }

        var now = timeProvider.GetUtcNow();
        var request = new StoredRequest(
            WhitelistRequestStore.NewId(now), WhitelistStatus.PendingConfirmation, valid.Email, valid.Name, valid.Range, valid.SenderDomain,
            valid.Recipient, valid.Reason, now, now, null, null, null, null, null,
            [new WhitelistHistoryEntry(now, "requester", "submitted", null)]);
        if (await store.InsertIfNoneOpenAsync(request, now, _options.LinkLifetime, cancellationToken) is { } openId)
        {
            return ApiError.Conflict(
                $"You already have an open request ({openId}) for {valid.Range} to {valid.Recipient}. Confirm it with the link we sent to your address, or wait for our decision.",
                new Dictionary<string, object?> { ["requestId"] = openId });
        }

        // Stored first: a failure to queue the mail below loses no request.
        await outbox.EnqueueAsync(_mails.Confirmation(request), cancellationToken);
        Log.Submitted(logger, request.Id, request.Range.ToString());
        return new WhitelistRequestState(request.Id, request.Status);
    }

    /// <summary>
    /// The confirmation link's POST: pending-confirmation becomes pending and the review is queued. Until the admins
    /// have been notified the same link may be sent again (it queues the review again, which is idempotent), so a
    /// failure to queue is recovered by trying again; after that the link is used up.
    /// </summary>
    public async Task<Outcome<WhitelistRequestState>> ConfirmAsync(string id, WhitelistConfirmation body, CancellationToken cancellationToken)
    {
        if (CheckLink(id, WhitelistLinkAction.Confirm, body.Token) is { } linkError)
        {
            return linkError;
        }

        var now = timeProvider.GetUtcNow();
        var (request, error) = await store.UpdateAsync<ApiError?>(id, current => current.Status switch
        {
            WhitelistStatus.PendingConfirmation => (current.With(new(now, "link", "confirmed", null)) with { Status = WhitelistStatus.Pending }, null),
            WhitelistStatus.Pending when current.AdminsNotifiedAt is null && current.Decision is null => (null, null),
            _ => (null, ApiError.Conflict($"This confirmation link was already used: request {id} is {Shown(current, now)}.")),
        }, cancellationToken);
        if (request is null)
        {
            return NotFound(id);
        }

        if (error is not null)
        {
            return error;
        }

        await queues.SendAsync(ReviewQueue, JsonSerializer.Serialize(new WhitelistReviewMessage(id), JsonSerializerOptions.Web), initialDelay: null, cancellationToken);
        Log.Confirmed(logger, id);
        return new WhitelistRequestState(id, request.Status);
    }

    /// <summary>
    /// An admin's approve or deny, with the admin mail's signed token or an admin key: recorded on the request (the
    /// link is then used up), then queued. With a key, the same decision again is accepted and queued again (applying
    /// it is idempotent); a different decision, or any decision through a used link, is a 409.
    /// </summary>
    public async Task<Outcome<WhitelistRequestState>> DecideAsync(string id, WhitelistDecision decision, WhitelistDecisionRequest body, string? presentedKey, CancellationToken cancellationToken)
    {
        var action = decision == WhitelistDecision.Approve ? WhitelistLinkAction.Approve : WhitelistLinkAction.Deny;
        string by;
        if (body.Token is not null)
        {
            if (CheckLink(id, action, body.Token) is { } linkError)
            {
                return linkError;
            }

            by = "link";
        }
        else if (keys.AdminKeyName(presentedKey) is { } keyName)
        {
            by = keyName;
        }
        else
        {
            return new ApiError(ApiErrorKind.Unauthorized, "Send the token of the link in the admin mail, or an admin key in the x-functions-key header.");
        }

        var now = timeProvider.GetUtcNow();
        if (ValidateDecision(decision, body, now) is { } invalid)
        {
            return invalid;
        }

        var wanted = new PendingDecision(decision, by, now, WhitelistRequestValidation.Note(body.Note, out _), ExpiresAt(decision, body, now), body.Scope ?? WhitelistScope.Recipient);
        var (request, error) = await store.UpdateAsync<ApiError?>(id, current => Record(current, wanted, now), cancellationToken);
        if (request is null)
        {
            return NotFound(id);
        }

        if (error is not null)
        {
            return error;
        }

        await queues.SendAsync(DecisionQueue, JsonSerializer.Serialize(new WhitelistDecisionMessage(id, decision), JsonSerializerOptions.Web), initialDelay: null, cancellationToken);
        Log.DecisionQueued(logger, id, decision, by);
        return new WhitelistRequestState(id, Shown(request, now));
    }

    /// <summary>The requester's view: status only, with the status link's token or an admin key.</summary>
    public async Task<Outcome<WhitelistRequestState>> GetStateAsync(string id, string? token, string? presentedKey, CancellationToken cancellationToken)
    {
        if (keys.AdminKeyName(presentedKey) is null && CheckLink(id, WhitelistLinkAction.Status, token) is { } linkError)
        {
            return linkError;
        }

        return await store.GetAsync(id, cancellationToken) is { } request
            ? new WhitelistRequestState(id, Shown(request, timeProvider.GetUtcNow()))
            : NotFound(id);
    }

    /// <summary>The admins' list: oldest first, optionally one status, <paramref name="limit"/> at a time from <paramref name="cursor"/>.</summary>
    public async Task<Outcome<WhitelistRequestPage>> ListAsync(string? status, string? cursor, string? limit, CancellationToken cancellationToken)
    {
        WhitelistStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            try
            {
                wanted = JsonSerializer.Deserialize<WhitelistStatus>($"\"{status}\"");
            }
            catch (JsonException)
            {
                return ApiError.Invalid("'status' must be pending-confirmation, pending, approved, denied or expired.", "status");
            }
        }

        if (!string.IsNullOrEmpty(cursor) && !WhitelistRequestStore.IsValidId(cursor))
        {
            return ApiError.Invalid("'cursor' must be the 'next' value of the previous page.", "cursor");
        }

        var size = 50;
        if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxPageSize))
        {
            return ApiError.Invalid($"'limit' must be a whole number from 1 to {MaxPageSize}.", "limit");
        }

        var now = timeProvider.GetUtcNow();
        var (requests, more) = await store.ListAsync(Filter(wanted, now), string.IsNullOrEmpty(cursor) ? null : cursor, size, now, cancellationToken);
        var page = requests.Select(r => Details(r, now)).ToList();
        return new WhitelistRequestPage(page, more ? page[^1].Id : null);
    }

    private static (StoredRequest? Changed, ApiError? Error) Record(StoredRequest current, PendingDecision wanted, DateTimeOffset now)
    {
        if (current.Status == WhitelistStatus.PendingConfirmation)
        {
            return (null, ApiError.Conflict($"Request {current.Id} is not confirmed yet: the requester has to follow the link we sent them first."));
        }

        if (current.Decision is { } recorded)
        {
            // A link decides once; a key may repeat its decision (the queue then finds nothing left to do).
            return wanted.By != "link" && recorded.Kind == wanted.Kind
                ? (null, null)
                : (null, ApiError.Conflict($"Request {current.Id} was already decided ({Word(recorded.Kind)} by {recorded.By}); this link or decision is used up."));
        }

        var detail = wanted.Kind == WhitelistDecision.Approve
            ? $"scope {Word(wanted.Scope)}, expires {wanted.ExpiresAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "never"}" + (wanted.Note is { } note ? $"; note: {note}" : "")
            : wanted.Note is { } denyNote ? "note: " + denyNote : null;
        return (current.With(new(now, wanted.By, Word(wanted.Kind) + "-requested", detail)) with { Decision = wanted }, null);
    }

    private ApiError? ValidateDecision(WhitelistDecision decision, WhitelistDecisionRequest body, DateTimeOffset now)
    {
        WhitelistRequestValidation.Note(body.Note, out var noteError);
        if (noteError is not null)
        {
            return ApiError.Invalid(noteError, "note");
        }

        if (decision == WhitelistDecision.Deny && (body.ExpiresAt is not null || body.Scope is not null))
        {
            return ApiError.Invalid("'expiresAt' and 'scope' are for approve only.", body.ExpiresAt is not null ? "expiresAt" : "scope");
        }

        if (body.ExpiresAt is { } expires && expires <= now)
        {
            return ApiError.Invalid($"'expiresAt' ({expires:O}) is not in the future; leave it out for the default ({(_options.EntryLifetime is { } lifetime ? lifetime.ToString() : "no expiry")}).", "expiresAt");
        }

        return body.Scope is { } scope && !Enum.IsDefined(scope) ? ApiError.Invalid("'scope' must be recipient or domain.", "scope") : null;
    }

    private DateTimeOffset? ExpiresAt(WhitelistDecision decision, WhitelistDecisionRequest body, DateTimeOffset now) =>
        decision == WhitelistDecision.Deny ? null : body.ExpiresAt ?? (_options.EntryLifetime is { } lifetime ? now + lifetime : null);

    private ApiError? CheckLink(string id, WhitelistLinkAction action, string? token)
    {
        if (!WhitelistRequestStore.IsValidId(id))
        {
            return NotFound(id);
        }

        return links.Verify(id, action, token) switch
        {
            WhitelistTokenCheck.Valid => null,
            WhitelistTokenCheck.Expired => new ApiError(ApiErrorKind.Gone, $"This link has expired (links work for {_options.LinkLifetime.TotalHours:0} hours). {(action == WhitelistLinkAction.Confirm ? "Please send the request again." : "Ask for a new one, or use an admin key.")}"),
            _ => new ApiError(ApiErrorKind.Forbidden, "This link is not valid for this request: copy the whole link from the mail."),
        };
    }

    private TableFilter? Filter(WhitelistStatus? status, DateTimeOffset now)
    {
        var cutoff = now - _options.LinkLifetime;
        var unconfirmed = TableFilter.Equal("Status", WhitelistRequestStore.StatusText(WhitelistStatus.PendingConfirmation));
        return status switch
        {
            null => null,
            WhitelistStatus.Expired => unconfirmed & TableFilter.LessThan("CreatedAt", cutoff),
            WhitelistStatus.PendingConfirmation => unconfirmed & TableFilter.GreaterThanOrEqual("CreatedAt", cutoff),
            _ => TableFilter.Equal("Status", WhitelistRequestStore.StatusText(status.Value)),
        };
    }

    private WhitelistStatus Shown(StoredRequest request, DateTimeOffset now) => request.Shown(now, _options.LinkLifetime);

    private WhitelistRequestDetails Details(StoredRequest r, DateTimeOffset now) => new(
        r.Id, Shown(r, now), r.Email, r.Name, r.Range.ToString(), r.SenderDomain, r.Recipient, r.Reason, r.CreatedAt, r.UpdatedAt, r.Entry, r.Snapshot, r.History);

    private static ApiError NotFound(string id) => ApiError.NotFound($"There is no whitelist request {id}.");

    internal static string Word<T>(T value) where T : struct, Enum => JsonSerializer.Serialize(value).Trim('"');

    private static partial class Log
    {
        [LoggerMessage(13001, LogLevel.Information, "Whitelist request {RequestId} for {Range} submitted; confirmation mail queued")]
        public static partial void Submitted(ILogger logger, string requestId, string range);

        [LoggerMessage(13002, LogLevel.Information, "Whitelist request {RequestId} confirmed; review queued")]
        public static partial void Confirmed(ILogger logger, string requestId);

        [LoggerMessage(13003, LogLevel.Information, "Whitelist request {RequestId}: {Decision} by {By} recorded and queued")]
        public static partial void DecisionQueued(ILogger logger, string requestId, WhitelistDecision decision, string by);
    }
}
