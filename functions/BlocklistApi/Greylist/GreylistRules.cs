using System.Globalization;
using BlocklistApi.Reputation;

namespace BlocklistApi.Greylist;

/// <summary>
/// The greylisting decision, a pure function of (request, stored state, options, now), after postgrey's
/// <c>smtpd_access_policy</c> and RFC 6647 section 4. I/O stays in <see cref="GreylistService"/>.
/// </summary>
internal static class GreylistRules
{
    /// <summary>postgrey counts at most one pass per client per hour towards auto-whitelisting (a hard-coded 3600 s).</summary>
    public static readonly TimeSpan AutoWhitelistPassInterval = TimeSpan.FromHours(1);

    /// <summary>
    /// postgrey's clock has one-second resolution: a check within the same second as a triplet's first attempt is
    /// "new" too, and one within the same second as its pass "passed", so MX hosts asking at the same moment agree.
    /// </summary>
    public static readonly TimeSpan SameMoment = TimeSpan.FromSeconds(1);

    /// <summary>What the stored triplet alone says at <paramref name="now"/>.</summary>
    public static TripletStep EvaluateTriplet(TripletRecord? stored, GreylistOptions options, DateTimeOffset now)
    {
        if (stored is null)
        {
            return StartOver(null, options, now);
        }

        if (stored.State == TripletState.Passed)
        {
            if (now - stored.LastSeen > options.MaxAge)
            {
                return StartOver(stored, options, now);
            }

            // Known: write only when the last-seen time is older than the refresh interval (postgrey writes every
            // time), or when the state was adopted from another network's row and this network has no row yet.
            var refresh = stored.ETag is null || now - stored.LastSeen >= options.RefreshInterval
                ? new TripletWrite(TripletState.Passed, stored.FirstSeen, now, stored.PassedAt, stored.ETag) { IsRefreshOnly = stored.ETag is not null }
                : null;
            return new TripletStep(TripletOutcome.Known, TimeSpan.Zero, refresh);
        }

        // postgrey discards a first-seen time in the future (clock trouble) and one older than the retry window.
        if (stored.FirstSeen > now || now - stored.FirstSeen > options.RetryWindow)
        {
            return StartOver(stored, options, now);
        }

        var waited = now - stored.FirstSeen;
        if (waited < options.Delay)
        {
            // A too-early retry changes nothing worth storing: pending rows expire by first-seen time, not last-seen.
            return new TripletStep(waited < SameMoment ? TripletOutcome.New : TripletOutcome.TooEarly, options.Delay - waited, null);
        }

        return new TripletStep(TripletOutcome.Passed, TimeSpan.Zero, new TripletWrite(TripletState.Passed, stored.FirstSeen, now, now, stored.ETag));
    }

    /// <summary>
    /// The whole decision. <paramref name="facts"/> are consulted only when the triplet alone would defer (the service
    /// gathers them only then); <see cref="ScreeningFacts.Client"/> is also used to count a pass.
    /// </summary>
    public static GreylistDecision Decide(Triplet triplet, TripletRecord? stored, ScreeningFacts facts, GreylistOptions options, string? pageUrl, DateTimeOffset now)
    {
        var step = EvaluateTriplet(stored, options, now);
        switch (step.Outcome)
        {
            case TripletOutcome.Known:
                var reason = stored!.PassedAt is { } passedAt && now - passedAt < SameMoment ? GreylistReason.Passed : GreylistReason.Known;
                return new GreylistDecision(Accept(reason), step.Outcome, step.Write, null);
            case TripletOutcome.Passed:
                return new GreylistDecision(Accept(GreylistReason.Passed), step.Outcome, step.Write, CountPass(facts.Client, options, now));
        }

        if (facts.AllowListed || facts.Reputation?.Verdict == Verdict.Whitelisted
            || GreylistScreening.ClientNameWhitelisted(options.WhitelistClients, facts.ReverseDns?.Name))
        {
            return new GreylistDecision(Accept(GreylistReason.Whitelisted), step.Outcome, null, null);
        }

        if (options.BlocklistReject && facts.Reputation is { } reputation && reputation.Score > options.BlocklistRejectScore)
        {
            var verdict = new GreylistVerdict(GreylistAction.Reject, GreylistReason.Blocklisted, 0, GreylistReplies.Reject(reputation.ListingZones, pageUrl));
            return new GreylistDecision(verdict, step.Outcome, null, null);
        }

        if (IsAutoWhitelisted(facts.Client, options))
        {
            return new GreylistDecision(Accept(GreylistReason.AutoWhitelisted), step.Outcome, null, RefreshClient(facts.Client!, options, now));
        }

        if (options.Mode == GreylistMode.Suspicious && facts.ReverseDns is { } reverseDns)
        {
            if (!GreylistScreening.IsSuspicious(reverseDns, facts.Reputation?.Score, triplet.Client, options))
            {
                return new GreylistDecision(Accept(GreylistReason.Trusted), step.Outcome, null, null);
            }
        }

        var deferReason = step.Outcome == TripletOutcome.New ? GreylistReason.New : GreylistReason.TooEarly;
        return new GreylistDecision(Defer(deferReason, step.RetryAfter, now, pageUrl), step.Outcome, step.Write, null);
    }

    /// <summary>
    /// For the SPF rule: among the rows of other client networks for the same sender/recipient pair, the one a retry
    /// from this client would continue if SPF authorises it: a known (passed) row first, else the earliest pending
    /// row within the retry window. Expired rows do not count. Null when there is none.
    /// </summary>
    public static TripletRecord? SameClientCandidate(IReadOnlyList<TripletRecord> pair, Triplet triplet, GreylistOptions options, DateTimeOffset now) =>
        pair.Where(r => r.Network != triplet.Network && !IsExpired(r, options, now) && r.FirstSeen <= now)
            .OrderBy(r => r.State == TripletState.Passed ? 0 : 1)
            .ThenBy(r => r.FirstSeen)
            .FirstOrDefault();

    /// <summary>Another network's state taken over as this client's: written as a new row of this client's network.</summary>
    public static TripletRecord Adopt(TripletRecord sibling, Triplet triplet) => sibling with { Network = triplet.Network, ETag = null };

    /// <summary>True when a stored row is of no use any more: the purge deletes it, and a check would start over.</summary>
    public static bool IsExpired(TripletRecord record, GreylistOptions options, DateTimeOffset now) => record.State == TripletState.Passed
        ? now - record.LastSeen > options.MaxAge
        : now - record.FirstSeen > options.RetryWindow;

    /// <summary>A client row not seen for longer than the max age is forgotten (postgrey's client database cleanup).</summary>
    public static bool IsExpired(ClientRecord record, GreylistOptions options, DateTimeOffset now) => now - record.LastSeen > options.MaxAge;

    public static bool IsAutoWhitelisted(ClientRecord? client, GreylistOptions options) =>
        options.AutoWhitelistAfter > 0 && client is not null && client.Passes >= options.AutoWhitelistAfter;

    /// <summary>
    /// Counts a pass towards auto-whitelisting: at most one per <see cref="AutoWhitelistPassInterval"/> per client, as
    /// postgrey does, so a burst of retries cannot earn it. Null when nothing is to be written.
    /// </summary>
    public static ClientWrite? CountPass(ClientRecord? client, GreylistOptions options, DateTimeOffset now)
    {
        if (options.AutoWhitelistAfter == 0)
        {
            return null;
        }

        if (client is null)
        {
            return new ClientWrite(1, now, now, options.AutoWhitelistAfter == 1 ? now : null, null) { ReachesThreshold = options.AutoWhitelistAfter == 1 };
        }

        // A last-counted time in the future means the clock went back; postgrey counts then too.
        if (client.LastCountedAt is { } last && now - last < AutoWhitelistPassInterval && last <= now)
        {
            return null;
        }

        var passes = client.Passes + 1;
        var reaches = client.Passes < options.AutoWhitelistAfter && passes >= options.AutoWhitelistAfter;
        return new ClientWrite(passes, now, now, reaches ? now : client.WhitelistedAt, client.ETag) { ReachesThreshold = reaches };
    }

    /// <summary>Keeps an auto-whitelisted client from expiring: its last-seen time is written once per refresh interval.</summary>
    public static ClientWrite? RefreshClient(ClientRecord client, GreylistOptions options, DateTimeOffset now) =>
        now - client.LastSeen >= options.RefreshInterval
            ? new ClientWrite(client.Passes, client.LastCountedAt, now, client.WhitelistedAt, client.ETag) { IsRefreshOnly = true }
            : null;

    /// <summary>The fail mode's answer when storage cannot be used.</summary>
    public static GreylistVerdict Degraded(GreylistOptions options, DateTimeOffset now, string? pageUrl) => options.FailMode == GreylistFailMode.Accept
        ? new GreylistVerdict(GreylistAction.Accept, GreylistReason.Trusted, 0, null, Degraded: true)
        : Defer(GreylistReason.New, options.Delay, now, pageUrl) with { Degraded = true };

    public static GreylistVerdict Accept(GreylistReason reason) => new(GreylistAction.Accept, reason, 0, null);

    public static GreylistVerdict Defer(GreylistReason reason, TimeSpan retryAfter, DateTimeOffset now, string? pageUrl)
    {
        var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
        return new GreylistVerdict(GreylistAction.Defer, reason, seconds, GreylistReplies.Defer(seconds, now, pageUrl));
    }

    private static TripletStep StartOver(TripletRecord? stored, GreylistOptions options, DateTimeOffset now) =>
        new(TripletOutcome.New, options.Delay, new TripletWrite(TripletState.Pending, now, now, null, stored?.ETag));
}

/// <summary>Ready SMTP replies (RFC 5321 section 4.2, enhanced status codes of RFC 3463), one ASCII line.</summary>
internal static class GreylistReplies
{
    /// <summary>
    /// 451 4.7.1 with when the retry will be accepted, in seconds and as a UTC time, and where to read more:
    /// "451 4.7.1 Greylisted: please retry after 300 seconds (at or after 2025-03-01 10:05:00 UTC); see https://…".
    /// </summary>
    public static string Defer(int retryAfterSeconds, DateTimeOffset now, string? pageUrl)
    {
        var at = (now + TimeSpan.FromSeconds(retryAfterSeconds)).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var text = string.Create(CultureInfo.InvariantCulture,
            $"451 4.7.1 Greylisted: this is a temporary deferral, please retry after {retryAfterSeconds} seconds (a retry at or after {at} UTC will be accepted)");
        return pageUrl is { Length: > 0 } ? $"{text}; see {pageUrl}" : text;
    }

    /// <summary>554 5.7.1 naming the zones that list the client.</summary>
    public static string Reject(IReadOnlyList<string> zones, string? pageUrl)
    {
        var listedBy = zones.Count > 0 ? $" by {string.Join(", ", zones)}" : "";
        var text = $"554 5.7.1 Rejected: the sending host is listed{listedBy}";
        return pageUrl is { Length: > 0 } ? $"{text}; see {pageUrl}" : text;
    }
}
