using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BlocklistApi.Net;
using BlocklistApi.Storage;

namespace BlocklistApi.Whitelist;

/// <summary>A decision recorded when an admin (or the admin's link) asked for it; the queue function applies it.</summary>
internal sealed record PendingDecision(WhitelistDecision Kind, string By, DateTimeOffset RequestedAt, string? Note, DateTimeOffset? ExpiresAt, WhitelistScope Scope);

/// <summary>One stored request, with its version (<see cref="ETag"/>) for conditional writes.</summary>
internal sealed record StoredRequest(
    string Id,
    WhitelistStatus Status,
    string Email,
    string? Name,
    IpNetwork Range,
    string? SenderDomain,
    string Recipient,
    string Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    PendingDecision? Decision,
    WhitelistSnapshot? Snapshot,
    WhitelistEntrySummary? Entry,
    DateTimeOffset? AdminsNotifiedAt,
    DateTimeOffset? RequesterNotifiedAt,
    IReadOnlyList<WhitelistHistoryEntry> History,
    string? ETag = null)
{
    /// <summary>Confirmed and undecided, or waiting for its confirmation within the link lifetime.</summary>
    public bool IsOpen(DateTimeOffset now, TimeSpan linkLifetime) => Status == WhitelistStatus.Pending
        || (Status == WhitelistStatus.PendingConfirmation && now - CreatedAt < linkLifetime);

    /// <summary>The status people see: an unconfirmed request whose link expired is "expired".</summary>
    public WhitelistStatus Shown(DateTimeOffset now, TimeSpan linkLifetime) =>
        Status == WhitelistStatus.PendingConfirmation && now - CreatedAt >= linkLifetime ? WhitelistStatus.Expired : Status;

    /// <summary>This request with one more recorded change.</summary>
    public StoredRequest With(WhitelistHistoryEntry change) => this with { UpdatedAt = change.At, History = [.. History, change] };
}

/// <summary>
/// The WhitelistRequests table (through <see cref="ITableStorage"/>, so on either provider).
/// <para>
/// <b>Requests</b>: PartitionKey "r" + the creation month ("r202611"), RowKey the id. Ids start with their creation
/// time ("20261128120000-k3q9x2m4dp"), so the partition follows from the id: every link's request is one point read,
/// and a month's requests come in creation order. The admin listing walks the months from the first one (row ("meta",
/// "first")) to now, one filtered query per month, oldest first: the review queue's order. There is no whole-table scan.
/// </para>
/// <para>
/// <b>Open requests</b>: row ("open", H), H = SHA-256 of "email\nrange\nrecipient", names the request that holds that
/// combination. A new request claims the row (insert, or replace with ETag when the request it names is no longer
/// open), so two requests for the same thing cannot both be open, even when they race.
/// </para>
/// Every state change replaces the request row with If-Match, its history in the same write.
/// </summary>
public sealed class WhitelistRequestStore(ITableStorage tables)
{
    public const string TableName = "WhitelistRequests";
    private const string MetaPartition = "meta";
    private const string FirstRow = "first";
    private const string OpenPartition = "open";
    private const int MaxClaimAttempts = 5;
    private const string IdAlphabet = "abcdefghijklmnopqrstuvwxyz234567";

    private static readonly JsonSerializerOptions s_json = JsonSerializerOptions.Web;
    private static readonly System.Buffers.SearchValues<char> s_idChars = System.Buffers.SearchValues.Create(IdAlphabet);

    // How long a claim stands without its request row: far longer than the one write between them.
    private static readonly TimeSpan s_claimGrace = TimeSpan.FromMinutes(1);

    /// <summary>Whether <paramref name="id"/> has the form of our ids (so a link with anything else is a 404 without a read).</summary>
    public static bool IsValidId(string? id) =>
        id is { Length: 25 } && id[14] == '-' && id.AsSpan(0, 14).IndexOfAnyExceptInRange('0', '9') < 0
        && id.AsSpan(15).IndexOfAnyExcept(s_idChars) < 0;

    /// <summary>A new id: the creation time to the second, and 50 random bits.</summary>
    public static string NewId(DateTimeOffset now)
    {
        Span<char> random = stackalloc char[10];
        for (var i = 0; i < random.Length; i++)
        {
            random[i] = IdAlphabet[RandomNumberGenerator.GetInt32(IdAlphabet.Length)];
        }

        return now.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "-" + new string(random);
    }

    internal async Task<StoredRequest?> GetAsync(string id, CancellationToken cancellationToken) =>
        await tables.GetAsync(TableName, PartitionOf(id), id, cancellationToken) is { } row ? ToRequest(row) : null;

    /// <summary>
    /// Makes <paramref name="request"/> the open request for its email, range and recipient, then stores it. Returns
    /// null, or the id of the request that is already open for them (then nothing was stored).
    /// </summary>
    internal async Task<string?> InsertIfNoneOpenAsync(StoredRequest request, DateTimeOffset now, TimeSpan linkLifetime, CancellationToken cancellationToken)
    {
        var claim = new TableRow(OpenPartition, OpenKey(request.Email, request.Range, request.Recipient)) { ["RequestId"] = request.Id, ["ClaimedAt"] = now };
        for (var attempt = 0; attempt < MaxClaimAttempts; attempt++)
        {
            if ((await tables.InsertAsync(TableName, claim, cancellationToken)).Written)
            {
                break;
            }

            var held = await tables.GetAsync(TableName, OpenPartition, claim.RowKey, cancellationToken);
            if (held is null)
            {
                continue;
            }

            // A claim whose request is decided or expired, or never got stored, is stale: take it over. A claim made a
            // moment ago whose request is not there yet is another submission racing this one.
            var heldId = held.GetString("RequestId") ?? "";
            var open = IsValidId(heldId) ? await GetAsync(heldId, cancellationToken) : null;
            if (open?.IsOpen(now, linkLifetime) == true || (open is null && now - (held.GetDateTimeOffset("ClaimedAt") ?? default) < s_claimGrace))
            {
                return heldId;
            }

            if ((await tables.ReplaceAsync(TableName, claim, held.ETag!, cancellationToken)).Written)
            {
                break;
            }
        }

        await tables.InsertAsync(TableName, ToRow(request), cancellationToken);
        await RememberMonthAsync(request.Id, cancellationToken);
        return null;
    }

    /// <summary>Replaces the request if it has not changed since it was read; null when it has (read it again and decide again).</summary>
    internal async Task<StoredRequest?> ReplaceAsync(StoredRequest request, CancellationToken cancellationToken)
    {
        var written = await tables.ReplaceAsync(TableName, ToRow(request), request.ETag!, cancellationToken);
        return written.Written ? request with { ETag = written.ETag } : null;
    }

    /// <summary>
    /// Reads the request, lets <paramref name="decide"/> say what it becomes (null: nothing to write) and what to answer,
    /// and writes it with If-Match, deciding again on the fresh row when another writer got there first. The request is
    /// null when there is none (then <paramref name="decide"/> was not called).
    /// </summary>
    internal async Task<(StoredRequest? Request, T? Result)> UpdateAsync<T>(string id, Func<StoredRequest, (StoredRequest? Changed, T Result)> decide, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxClaimAttempts; attempt++)
        {
            if (await GetAsync(id, cancellationToken) is not { } current)
            {
                return (null, default);
            }

            var (changed, result) = decide(current);
            if (changed is null)
            {
                return (current, result);
            }

            if (await ReplaceAsync(changed, cancellationToken) is { } written)
            {
                return (written, result);
            }
        }

        throw new InvalidOperationException($"Whitelist request {id} kept changing while it was being updated; try again.");
    }

    /// <summary>
    /// Up to <paramref name="limit"/> requests after <paramref name="after"/> (an id), oldest first, whose stored status
    /// matches <paramref name="filter"/> (every request when null), and whether more may follow.
    /// </summary>
    internal async Task<(IReadOnlyList<StoredRequest> Requests, bool More)> ListAsync(TableFilter? filter, string? after, int limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var first = (await tables.GetAsync(TableName, MetaPartition, FirstRow, cancellationToken))?.GetString("Month");
        if (first is null)
        {
            return ([], false);
        }

        var found = new List<StoredRequest>();
        var month = after is null ? first : after[..6];
        var last = now.UtcDateTime.ToString("yyyyMM", CultureInfo.InvariantCulture);
        while (string.CompareOrdinal(month, last) <= 0 && found.Count <= limit)
        {
            var query = new TableQuery("r" + month)
            {
                // Ids have one length, so "id." sorts after the id and before every later one.
                RowKeyFrom = after is not null && after.StartsWith(month, StringComparison.Ordinal) ? after + "." : null,
                Filter = filter,
                Take = limit + 1 - found.Count,
            };
            found.AddRange((await tables.QueryAsync(TableName, query, cancellationToken)).Select(ToRequest));
            month = NextMonth(month);
        }

        return found.Count > limit ? (found.Take(limit).ToList(), true) : (found, false);
    }

    private async Task RememberMonthAsync(string id, CancellationToken cancellationToken)
    {
        var month = id[..6];
        var row = await tables.GetAsync(TableName, MetaPartition, FirstRow, cancellationToken);
        if (row is null)
        {
            await tables.InsertAsync(TableName, new TableRow(MetaPartition, FirstRow) { ["Month"] = month }, cancellationToken);
        }
        else if (string.CompareOrdinal(month, row.GetString("Month")) < 0)
        {
            await tables.ReplaceAsync(TableName, new TableRow(MetaPartition, FirstRow) { ["Month"] = month }, row.ETag!, cancellationToken);
        }
    }

    private static string NextMonth(string month)
    {
        var date = DateTime.ParseExact(month, "yyyyMM", CultureInfo.InvariantCulture).AddMonths(1);
        return date.ToString("yyyyMM", CultureInfo.InvariantCulture);
    }

    private static string PartitionOf(string id) => "r" + id[..6];

    internal static string OpenKey(string email, IpNetwork range, string recipient) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{email.ToLowerInvariant()}\n{range}\n{recipient.ToLowerInvariant()}")))[..32];

    /// <summary>The stored form of a status (the filter's value).</summary>
    internal static string StatusText(WhitelistStatus status) => JsonSerializer.Serialize(status).Trim('"');

    private static TableRow ToRow(StoredRequest request) => new(PartitionOf(request.Id), request.Id)
    {
        ["Status"] = StatusText(request.Status),
        ["Email"] = request.Email,
        ["Name"] = request.Name,
        ["Range"] = request.Range.ToString(),
        ["SenderDomain"] = request.SenderDomain,
        ["Recipient"] = request.Recipient,
        ["Reason"] = request.Reason,
        ["CreatedAt"] = request.CreatedAt,
        ["UpdatedAt"] = request.UpdatedAt,
        ["Decision"] = Json(request.Decision),
        ["Snapshot"] = Json(request.Snapshot),
        ["Entry"] = Json(request.Entry),
        ["AdminsNotifiedAt"] = request.AdminsNotifiedAt,
        ["RequesterNotifiedAt"] = request.RequesterNotifiedAt,
        ["History"] = JsonSerializer.Serialize(request.History, s_json),
    };

    private static StoredRequest ToRequest(TableRow row) => new(
        row.RowKey,
        JsonSerializer.Deserialize<WhitelistStatus>("\"" + row.GetString("Status") + "\""),
        row.GetString("Email") ?? "",
        row.GetString("Name"),
        IpNetwork.FromText(row.GetString("Range") ?? ""),
        row.GetString("SenderDomain"),
        row.GetString("Recipient") ?? "",
        row.GetString("Reason") ?? "",
        row.GetDateTimeOffset("CreatedAt") ?? default,
        row.GetDateTimeOffset("UpdatedAt") ?? default,
        FromJson<PendingDecision>(row.GetString("Decision")),
        FromJson<WhitelistSnapshot>(row.GetString("Snapshot")),
        FromJson<WhitelistEntrySummary>(row.GetString("Entry")),
        row.GetDateTimeOffset("AdminsNotifiedAt"),
        row.GetDateTimeOffset("RequesterNotifiedAt"),
        FromJson<List<WhitelistHistoryEntry>>(row.GetString("History")) ?? [],
        row.ETag);

    private static string? Json<T>(T? value) where T : class => value is null ? null : JsonSerializer.Serialize(value, s_json);

    private static T? FromJson<T>(string? json) where T : class => json is null ? null : JsonSerializer.Deserialize<T>(json, s_json);
}
