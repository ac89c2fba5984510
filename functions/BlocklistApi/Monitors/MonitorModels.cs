namespace BlocklistApi.Monitors;

/// <summary>The body of PUT /v1/monitors/{address}/{prefixLength}.</summary>
/// <param name="Label">What the range is, for the admins (e.g. "Outbound relays, Frankfurt"); optional, at most 200 characters.</param>
public sealed record MonitorRequest(string? Label);

/// <summary>A monitored address or range, with its current listings.</summary>
/// <param name="Range">CIDR form, e.g. 192.0.2.0/28 or 2001:db8::25/128.</param>
/// <param name="Label">What the range is; null when none was given.</param>
/// <param name="Addresses">How many addresses the range holds.</param>
/// <param name="CreatedAt">When it was first monitored.</param>
/// <param name="UpdatedAt">When it was last written.</param>
/// <param name="Listings">Each listing of one of its addresses by an enabled block zone, with the time it was first seen; empty when none.</param>
public sealed record MonitoredRange(
    string Range,
    string? Label,
    int Addresses,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<MonitorListing> Listings);

/// <summary>One monitored address listed by one zone.</summary>
/// <param name="Address">The listed address.</param>
/// <param name="Zone">The zone that lists it (never with an access key).</param>
/// <param name="Codes">The zone's answer codes, e.g. 127.0.0.2.</param>
/// <param name="Meanings">The codes in words, for zones we know.</param>
/// <param name="Reasons">The zone's TXT records.</param>
/// <param name="DelistUrl">Where to ask for removal; null when the zone has none configured or known.</param>
/// <param name="Since">When the listing was first seen.</param>
public sealed record MonitorListing(
    string Address,
    string Zone,
    IReadOnlyList<string> Codes,
    IReadOnlyList<string> Meanings,
    IReadOnlyList<string> Reasons,
    string? DelistUrl,
    DateTimeOffset Since);

/// <summary>The answer of GET /v1/monitors.</summary>
/// <param name="Ranges">Every monitored range, in address order.</param>
/// <param name="Addresses">How many addresses they hold together.</param>
/// <param name="MaxAddresses">Monitors__MaxAddresses: how many they may hold.</param>
/// <param name="LastCheckedAt">When the monitor timer last checked them; null before its first run.</param>
public sealed record MonitoredRanges(IReadOnlyList<MonitoredRange> Ranges, int Addresses, int MaxAddresses, DateTimeOffset? LastCheckedAt);

/// <summary>The result of a PUT: the range, and whether it was new.</summary>
public sealed record MonitorWrite(MonitoredRange Range, bool Created);

/// <summary>A change of a monitored address's listing that the admins hear about.</summary>
public enum MonitorChange
{
    Listed,
    Delisted,
}

/// <summary>
/// An alert: a monitored address became listed by a zone, or is no longer listed. <see cref="Subject"/> and
/// <see cref="Body"/> are the text an admin e-mail carries.
/// </summary>
public sealed record MonitorAlert(
    MonitorChange Change,
    string Address,
    string Range,
    string? Label,
    string Zone,
    IReadOnlyList<string> Codes,
    IReadOnlyList<string> Meanings,
    IReadOnlyList<string> Reasons,
    string? DelistUrl,
    DateTimeOffset ListedSince,
    DateTimeOffset At)
{
    public string Subject => Change == MonitorChange.Listed
        ? $"Our address {Address} is listed by {Zone}"
        : $"Our address {Address} is no longer listed by {Zone}";

    public string Body
    {
        get
        {
            var lines = new List<string>
            {
                Change == MonitorChange.Listed
                    ? $"{Zone} lists {Address}, one of our monitored sending addresses ({Range}{(Label is null ? "" : ", " + Label)})."
                    : $"{Zone} no longer lists {Address} ({Range}{(Label is null ? "" : ", " + Label)}); it was listed since {ListedSince:u}.",
            };
            if (Change == MonitorChange.Listed)
            {
                lines.Add($"Codes: {string.Join(", ", Codes)}");
                lines.AddRange(Meanings.Select(m => $"Meaning: {m}"));
                lines.AddRange(Reasons.Select(r => $"Reason given by the zone: {r}"));
                lines.Add(DelistUrl is null ? "The zone has no known delisting page." : $"Delisting: {DelistUrl}");
            }

            lines.Add($"Checked at {At:u}.");
            return string.Join("\n", lines);
        }
    }
}
