using System.Text.Json.Serialization;

namespace BlocklistApi.Whitelist;

/// <summary>Where a whitelist request stands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WhitelistStatus>))]
public enum WhitelistStatus
{
    /// <summary>Stored; the requester has not yet followed the confirmation link.</summary>
    [JsonStringEnumMemberName("pending-confirmation")] PendingConfirmation,
    /// <summary>Confirmed: waiting for an admin (a decision may be on its way through the queue).</summary>
    [JsonStringEnumMemberName("pending")] Pending,
    /// <summary>Approved: a scoped allow entry lets the range reach the recipient.</summary>
    [JsonStringEnumMemberName("approved")] Approved,
    /// <summary>Denied.</summary>
    [JsonStringEnumMemberName("denied")] Denied,
    /// <summary>Never confirmed, and its confirmation link has expired (Whitelist:LinkLifetime); a new request may be made.</summary>
    [JsonStringEnumMemberName("expired")] Expired,
}

/// <summary>An admin's decision.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WhitelistDecision>))]
public enum WhitelistDecision
{
    [JsonStringEnumMemberName("approve")] Approve,
    [JsonStringEnumMemberName("deny")] Deny,
}

/// <summary>Whom an approved request lets the range reach.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WhitelistScope>))]
public enum WhitelistScope
{
    /// <summary>The recipient the requester was writing to (the default).</summary>
    [JsonStringEnumMemberName("recipient")] Recipient,
    /// <summary>Every address of the recipient's domain.</summary>
    [JsonStringEnumMemberName("domain")] Domain,
}

/// <summary>The body of POST /v1/whitelist-requests.</summary>
/// <param name="Email">The requester's address: the confirmation link and the outcome are sent there.</param>
/// <param name="Name">The requester's name, optional.</param>
/// <param name="Ip">The sending server's address, or a range (IPv4 up to /24, IPv6 up to /48), public unicast only.</param>
/// <param name="SenderDomain">The domain the mail is sent from (MAIL FROM), optional.</param>
/// <param name="Recipient">The address the requester was writing to, one of our customers.</param>
/// <param name="Reason">Why the server cannot be fixed or cannot retry: what the admin reads.</param>
public sealed record WhitelistRequestSubmission(string? Email, string? Name, string? Ip, string? SenderDomain, string? Recipient, string? Reason);

/// <summary>The body of POST /v1/whitelist-requests/{id}/confirm.</summary>
/// <param name="Token">The token of the confirmation link.</param>
public sealed record WhitelistConfirmation(string? Token);

/// <summary>The body of POST /v1/whitelist-requests/{id}/approve and /deny.</summary>
/// <param name="Token">The token of the admin mail's link; leave it out when sending an admin key.</param>
/// <param name="Note">For the requester and the record, optional (at most 1000 characters).</param>
/// <param name="ExpiresAt">Approve only: when the allow entry stops counting; default now + Whitelist:EntryLifetime (none: no expiry).</param>
/// <param name="Scope">Approve only: recipient (default) or domain, the recipient's whole domain.</param>
public sealed record WhitelistDecisionRequest(string? Token, string? Note, DateTimeOffset? ExpiresAt, WhitelistScope? Scope);

/// <summary>A request's id and status: the answer of every whitelist route that changes or shows one request.</summary>
/// <param name="Id">The request's id.</param>
/// <param name="Status">Where it stands.</param>
public sealed record WhitelistRequestState(string Id, WhitelistStatus Status);

/// <summary>One recorded change of a request.</summary>
/// <param name="At">When.</param>
/// <param name="By">Who: "requester" (the form), "link" (a signed link), an admin key's name, or "queue" (the functions that act on it).</param>
/// <param name="Action">What: submitted, confirmed, reviewed, approve-requested, deny-requested, approved, denied.</param>
/// <param name="Detail">More about it (the note, the scope, the entry's expiry), or null.</param>
public sealed record WhitelistHistoryEntry(DateTimeOffset At, string By, string Action, string? Detail);

/// <summary>The allow entry an approved request made.</summary>
/// <param name="Range">The range, CIDR form.</param>
/// <param name="Scope">recipient or domain.</param>
/// <param name="Recipient">The recipient address, or the domain for scope domain.</param>
/// <param name="ExpiresAt">When it stops counting; null for never.</param>
public sealed record WhitelistEntrySummary(string Range, WhitelistScope Scope, string Recipient, DateTimeOffset? ExpiresAt);

/// <summary>What one listing said when the request was reviewed.</summary>
/// <param name="Zone">The zone.</param>
/// <param name="Listed">Whether it listed the address.</param>
/// <param name="Codes">Its answer codes.</param>
/// <param name="Meanings">The codes in words.</param>
/// <param name="DelistUrl">Its removal page.</param>
public sealed record WhitelistSnapshotListing(string Zone, bool Listed, IReadOnlyList<string> Codes, IReadOnlyList<string> Meanings, string? DelistUrl);

/// <summary>One diagnostics check at review time.</summary>
/// <param name="Name">rdns, fcrdns, helo, spf, listings...</param>
/// <param name="Status">pass, warn, fail or error.</param>
/// <param name="Detail">What was found.</param>
public sealed record WhitelistSnapshotCheck(string Name, string Status, string Detail);

/// <summary>The diagnostics of the address taken when the request was reviewed, for the admin.</summary>
/// <param name="TakenAt">When.</param>
/// <param name="Address">The address checked (a range's first address).</param>
/// <param name="Checks">rDNS, FCrDNS, HELO, SPF and listings checks.</param>
/// <param name="Listings">Every zone's answer, with codes and removal pages.</param>
public sealed record WhitelistSnapshot(DateTimeOffset TakenAt, string Address, IReadOnlyList<WhitelistSnapshotCheck> Checks, IReadOnlyList<WhitelistSnapshotListing> Listings);

/// <summary>A request as admins see it in GET /v1/whitelist-requests.</summary>
/// <param name="Id">The id.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="Email">The requester's address.</param>
/// <param name="Name">The requester's name, or null.</param>
/// <param name="Ip">The address or range, CIDR form.</param>
/// <param name="SenderDomain">The sender domain, or null.</param>
/// <param name="Recipient">The recipient.</param>
/// <param name="Reason">The requester's reason.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="Entry">The allow entry of an approved request, else null.</param>
/// <param name="Snapshot">The diagnostics taken at review, or null before.</param>
/// <param name="History">Every change: who, when, what.</param>
public sealed record WhitelistRequestDetails(
    string Id,
    WhitelistStatus Status,
    string Email,
    string? Name,
    string Ip,
    string? SenderDomain,
    string Recipient,
    string Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    WhitelistEntrySummary? Entry,
    WhitelistSnapshot? Snapshot,
    IReadOnlyList<WhitelistHistoryEntry> History);

/// <summary>The answer of GET /v1/whitelist-requests: newest first.</summary>
/// <param name="Requests">This page.</param>
/// <param name="Next">The cursor of the next page (pass it as ?cursor=), or null on the last page.</param>
public sealed record WhitelistRequestPage(IReadOnlyList<WhitelistRequestDetails> Requests, string? Next);

/// <summary>The message of the whitelist-requests queue: review this request.</summary>
/// <param name="Id">The request's id.</param>
public sealed record WhitelistReviewMessage(string Id);

/// <summary>The message of the whitelist-approvals queue: apply the decision stored on this request.</summary>
/// <param name="Id">The request's id.</param>
/// <param name="Decision">approve or deny (the stored decision wins if they differ).</param>
public sealed record WhitelistDecisionMessage(string Id, WhitelistDecision Decision);
