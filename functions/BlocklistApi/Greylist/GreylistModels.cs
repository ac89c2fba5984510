using System.Text.Json.Serialization;

namespace BlocklistApi.Greylist;

/// <summary>What the mail server should do with the message.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GreylistAction>))]
public enum GreylistAction
{
    [JsonStringEnumMemberName("accept")] Accept,
    [JsonStringEnumMemberName("defer")] Defer,
    [JsonStringEnumMemberName("reject")] Reject,
}

/// <summary>Why: the contract's reason strings.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GreylistReason>))]
public enum GreylistReason
{
    /// <summary>First attempt of this triplet (or the first after the retry window or max age): deferred.</summary>
    [JsonStringEnumMemberName("new")] New,
    /// <summary>A retry before the delay ended: deferred.</summary>
    [JsonStringEnumMemberName("too-early")] TooEarly,
    /// <summary>The first retry after the delay: accepted, and the triplet is known from now on.</summary>
    [JsonStringEnumMemberName("passed")] Passed,
    /// <summary>A triplet that passed before: accepted.</summary>
    [JsonStringEnumMemberName("known")] Known,
    /// <summary>On a whitelist (hosted allow list, client name, recipient opt-out, allow zone): accepted.</summary>
    [JsonStringEnumMemberName("whitelisted")] Whitelisted,
    /// <summary>The client passed greylisting often enough: accepted.</summary>
    [JsonStringEnumMemberName("auto-whitelisted")] AutoWhitelisted,
    /// <summary>Suspicious mode found nothing suspicious about the client: accepted without greylisting.</summary>
    [JsonStringEnumMemberName("trusted")] Trusted,
    /// <summary>Listed by the block zones above the configured score: rejected.</summary>
    [JsonStringEnumMemberName("blocklisted")] Blocklisted,
}

/// <summary>The body of POST /v1/greylist/check, as a mail server's policy hook sends it.</summary>
/// <param name="ClientAddress">The connecting client's IP address (strictly parsed).</param>
/// <param name="Sender">The envelope sender (MAIL FROM); "" or "&lt;&gt;" for the null sender of bounces.</param>
/// <param name="Recipient">The envelope recipient (RCPT TO).</param>
/// <param name="HeloName">The HELO/EHLO name, if known.</param>
/// <param name="ClientName">The client's hostname as the mail server sees it; informational, whitelists use our own forward-confirmed rDNS.</param>
public sealed record GreylistCheckRequest(string? ClientAddress, string? Sender, string? Recipient, string? HeloName, string? ClientName);

/// <summary>The answer of POST /v1/greylist/check.</summary>
/// <param name="Action">accept, defer or reject.</param>
/// <param name="Reason">Why, as one of the contract's reason strings.</param>
/// <param name="RetryAfterSeconds">For a defer, seconds until a retry will be accepted; 0 otherwise.</param>
/// <param name="SmtpReply">For a defer or reject, a complete SMTP reply line to send; null for accept.</param>
/// <param name="Degraded">True when storage could not be used in time and the configured fail mode answered.</param>
public sealed record GreylistVerdict(
    GreylistAction Action,
    GreylistReason Reason,
    int RetryAfterSeconds,
    string? SmtpReply,
    bool Degraded = false);

/// <summary>The answer of GET /v1/greylist/stats: counters shared by every instance.</summary>
/// <param name="Triplets">Triplets stored now (created minus purged).</param>
/// <param name="Deferrals">Checks answered defer ("new" and "too-early").</param>
/// <param name="Passes">Triplets that passed greylisting ("passed").</param>
/// <param name="AutoWhitelistedClients">Client addresses stored now whose passes reached Greylist:AutoWhitelistAfter.</param>
/// <param name="Checks">Checks answered, by reason.</param>
/// <param name="DegradedAnswers">Checks answered by the fail mode because storage failed.</param>
/// <param name="PurgedTriplets">Triplets removed by the purge timer.</param>
/// <param name="LastPurgeAt">When the purge last finished; null if never.</param>
/// <param name="Since">When counting started; null before the first check.</param>
/// <param name="UpdatedAt">When the counters were last written; null before the first check.</param>
public sealed record GreylistStats(
    long Triplets,
    long Deferrals,
    long Passes,
    long AutoWhitelistedClients,
    IReadOnlyDictionary<string, long> Checks,
    long DegradedAnswers,
    long PurgedTriplets,
    DateTimeOffset? LastPurgeAt,
    DateTimeOffset? Since,
    DateTimeOffset? UpdatedAt);
