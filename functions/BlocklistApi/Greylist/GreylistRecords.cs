using System.Net;
using BlocklistApi.Dns;
using BlocklistApi.Net;
using BlocklistApi.Reputation;

namespace BlocklistApi.Greylist;

/// <summary>A check's triplet after normalisation: the client's network, and the normalised sender and recipient.</summary>
/// <param name="Client">The client address (IPv4-mapped IPv6 already made IPv4).</param>
/// <param name="Network">The client's network at the configured prefix length: the "client" part of the triplet.</param>
/// <param name="Sender">The normalised sender, <see cref="GreylistAddresses.NullSender"/> for bounces.</param>
/// <param name="Recipient">The normalised recipient.</param>
/// <param name="SenderDomain">The envelope sender's domain (what SPF checks); null for the null sender.</param>
/// <param name="HeloName">The HELO name, if the mail server sent it (SPF checks it for the null sender).</param>
internal sealed record Triplet(IPAddress Client, IpNetwork Network, string Sender, string Recipient, string? SenderDomain, string? HeloName);

/// <summary>A triplet's stored state: pending until its first retry after the delay, then passed.</summary>
internal enum TripletState
{
    Pending,
    Passed,
}

/// <summary>One stored triplet (one client network for one sender/recipient pair).</summary>
/// <param name="Network">The client network the row is for.</param>
/// <param name="State">Pending or passed.</param>
/// <param name="FirstSeen">The first attempt (of this round: it restarts after the retry window or max age).</param>
/// <param name="LastSeen">The last attempt written (known triplets: at most once per refresh interval).</param>
/// <param name="PassedAt">When the triplet passed; null while pending.</param>
/// <param name="ETag">The row's version; null for a state adopted from another network's row (it is then inserted).</param>
internal sealed record TripletRecord(IpNetwork Network, TripletState State, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, DateTimeOffset? PassedAt, string? ETag);

/// <summary>A client address's auto-whitelist record: how many passes counted, and when.</summary>
internal sealed record ClientRecord(string Address, int Passes, DateTimeOffset? LastCountedAt, DateTimeOffset LastSeen, DateTimeOffset? WhitelistedAt, string? ETag);

/// <summary>A triplet row to write: inserted when <see cref="IfMatch"/> is null, else replaced only if unchanged since read.</summary>
internal sealed record TripletWrite(TripletState State, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, DateTimeOffset? PassedAt, string? IfMatch)
{
    /// <summary>A refresh of a known triplet's last-seen time: losing it to another writer changes nothing.</summary>
    public bool IsRefreshOnly { get; init; }
}

/// <summary>A client row to write, with the same insert/replace rule as <see cref="TripletWrite"/>.</summary>
internal sealed record ClientWrite(int Passes, DateTimeOffset? LastCountedAt, DateTimeOffset LastSeen, DateTimeOffset? WhitelistedAt, string? IfMatch)
{
    public bool IsRefreshOnly { get; init; }

    /// <summary>True when this write makes the client auto-whitelisted (for the statistics).</summary>
    public bool ReachesThreshold { get; init; }
}

/// <summary>What the triplet alone says, before any whitelist.</summary>
internal enum TripletOutcome
{
    New,
    TooEarly,
    Passed,
    Known,
}

/// <summary>The triplet's outcome, how long until a retry passes, and the row to write (if any).</summary>
internal sealed record TripletStep(TripletOutcome Outcome, TimeSpan RetryAfter, TripletWrite? Write)
{
    public bool WouldDefer => Outcome is TripletOutcome.New or TripletOutcome.TooEarly;
}

/// <summary>What reputation said, reduced to what greylisting uses.</summary>
internal sealed record ReputationFacts(Verdict Verdict, double Score, IReadOnlyList<string> ListingZones)
{
    public static ReputationFacts From(ReputationReport report) => new(
        report.Verdict,
        report.Score,
        report.Listings.Where(l => l.Listed && l.Kind == ZoneKind.Block).Select(l => l.Zone).ToList());
}

/// <summary>
/// Facts gathered (with I/O) about the client before it is greylisted. Each is null/false when it was not needed:
/// facts are gathered only when the triplet alone would defer.
/// </summary>
internal sealed record ScreeningFacts
{
    public static ScreeningFacts None { get; } = new();

    /// <summary>True once the whitelist and reputation facts were gathered (they were needed).</summary>
    public bool Screened { get; init; }

    /// <summary>Our hosted allow list matches the client.</summary>
    public bool AllowListed { get; init; }

    /// <summary>The client's forward-confirmed rDNS, when a whitelist or suspicious mode needed it.</summary>
    public ReverseDnsResult? ReverseDns { get; init; }

    /// <summary>The reputation verdict and score, when allow zones, blocklist rejection or suspicious mode needed it.</summary>
    public ReputationFacts? Reputation { get; init; }

    /// <summary>The client's auto-whitelist record (null if none is stored or auto-whitelisting is off).</summary>
    public ClientRecord? Client { get; init; }
}

/// <summary>The pure decision's result: the verdict, and the rows to write for it.</summary>
internal sealed record GreylistDecision(GreylistVerdict Verdict, TripletOutcome Triplet, TripletWrite? TripletWrite, ClientWrite? ClientWrite);
