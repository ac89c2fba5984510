using BlocklistApi.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Greylist;

/// <summary>
/// Greylisting checks: the decision loop around <see cref="GreylistRules.Decide"/>. It reads the stored state, asks
/// for the screening facts only when the triplet alone would defer, and writes what the rules say with ETags, deciding
/// again when another check changed the row first. A known triplet costs one read (none while this instance remembers
/// it, Greylist:KnownTripletCacheTtl) and, within Greylist:RefreshInterval, no write. Storage trouble answers with
/// Greylist:FailMode within Greylist:StorageTimeout.
/// </summary>
public sealed partial class GreylistService(
    GreylistStore store,
    GreylistCounters counters,
    GreylistMemory memory,
    GreylistScreener screener,
    GreylistClients clients,
    IOptions<GreylistOptions> options,
    TimeProvider timeProvider,
    ILogger<GreylistService> logger)
{
    private const int MaxAttempts = 3;

    private readonly GreylistOptions _options = options.Value;

    /// <summary>Checks one message's triplet; a 400 error for a malformed request, else a verdict (never an exception for storage trouble).</summary>
    public async Task<Outcome<GreylistVerdict>> CheckAsync(GreylistCheckRequest request, CancellationToken cancellationToken)
    {
        if (!GreylistRequests.TryParse(request, _options, out var triplet, out var error))
        {
            return error;
        }

        var verdict = await DecideAsync(triplet, cancellationToken);
        counters.CountCheck(verdict);
        return verdict;
    }

    /// <summary>The shared statistics (this instance's counts added first, with the client counts still being written).</summary>
    public async Task<GreylistStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        await clients.DrainAsync(cancellationToken);
        return await counters.ReadAsync(cancellationToken);
    }

    private async Task<GreylistVerdict> DecideAsync(Triplet triplet, CancellationToken cancellationToken)
    {
        // postgrey's recipient whitelist needs no storage at all.
        if (GreylistScreening.RecipientOptedOut(_options.EffectiveWhitelistRecipients, triplet.Recipient))
        {
            return GreylistRules.Accept(GreylistReason.Whitelisted);
        }

        using var deadline = new CancellationTokenSource(_options.StorageTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await DecideWithStorageAsync(triplet, linked.Token, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (StorageFailures.IsRejected(ex) || StorageFailures.IsUnavailable(ex, cancellationToken)))
        {
            Log.StorageFailed(logger, triplet.Client.ToString(), _options.FailMode, ex);
            return GreylistRules.Degraded(_options, timeProvider.GetUtcNow(), _options.PageUrl);
        }
    }

    // storageToken carries Greylist:StorageTimeout; DNS work (rDNS, zones, SPF) keeps its own timeouts and the request's token.
    private async Task<GreylistVerdict> DecideWithStorageAsync(Triplet triplet, CancellationToken storageToken, CancellationToken requestToken)
    {
        var keys = GreylistStore.KeysFor(triplet);
        var now = timeProvider.GetUtcNow();
        if (memory.KnownVerdict(triplet, keys, now) is { } remembered)
        {
            return remembered;
        }

        var pair = await store.ReadPairAsync(keys, storageToken);
        var own = pair.FirstOrDefault(r => r.Network == triplet.Network);
        memory.RememberTriplet(keys, own);

        // A pool retrying from another network: if the sender domain's SPF authorises this address, it continues the
        // other network's triplet. The pair query above already read every network's row; the adopted state is
        // inserted as this network's row by the decision below, so the SPF check is not repeated once it passed.
        if (own is null && _options.SpfSameClient
            && GreylistRules.SameClientCandidate(pair, triplet, _options, now) is { } sibling
            && await screener.SpfAuthorizesAsync(triplet, requestToken))
        {
            Log.SameClientBySpf(logger, triplet.Client.ToString(), sibling.Network.ToString());
            own = GreylistRules.Adopt(sibling, triplet);
        }

        GreylistDecision? first = null;
        var facts = await GatherAsync(triplet, own, ScreeningFacts.None, now, storageToken, requestToken);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var decision = GreylistRules.Decide(triplet, own, facts, _options, _options.PageUrl, now);
            first ??= decision;
            if (decision.TripletWrite is not { } write || await store.WriteTripletAsync(keys, write, storageToken) == WriteOutcome.Written)
            {
                Count(decision);
                // Behind the answer: the pass's count does not decide this check (GreylistClients says what that keeps).
                await clients.WriteBehindAsync(triplet.Client, decision.ClientWrite);
                return Agree(first, decision);
            }

            if (write.IsRefreshOnly)
            {
                // Another check refreshed the known triplet first: nothing is lost.
                return decision.Verdict;
            }

            // Another check (another MX host) inserted or changed the row since we read it: read it and decide again.
            memory.ForgetTriplet(keys);
            Log.LostRace(logger, triplet.Client.ToString(), attempt);
            own = await store.GetTripletAsync(keys, storageToken);
            now = timeProvider.GetUtcNow();
            facts = await GatherAsync(triplet, own, facts, now, storageToken, requestToken);
        }

        Log.GaveUp(logger, triplet.Client.ToString(), MaxAttempts);
        return first!.Verdict;
    }

    private void Count(GreylistDecision decision)
    {
        if (decision.TripletWrite is { IfMatch: null })
        {
            counters.CountTripletCreated();
        }

        if (decision.Triplet == TripletOutcome.Passed)
        {
            counters.CountPass();
        }
    }

    // Checks racing on one triplet agree: the loser of an insert race answers "new" like the winner (not "too-early"),
    // the loser of a pass race "passed" (not "known"); retry times come from the stored row.
    private static GreylistVerdict Agree(GreylistDecision first, GreylistDecision final) =>
        first.Verdict.Action == final.Verdict.Action && first.Verdict.Reason != final.Verdict.Reason
            && (first.Verdict.Reason, final.Verdict.Reason) is (GreylistReason.New, GreylistReason.TooEarly) or (GreylistReason.Passed, GreylistReason.Known)
            ? final.Verdict with { Reason = first.Verdict.Reason }
            : final.Verdict;

    /// <summary>
    /// What the decision needs beyond the triplet, and only then: the screening facts when the triplet alone would
    /// defer; the client's auto-whitelist record when it would defer (and no whitelist decided) or when it passes.
    /// </summary>
    private async Task<ScreeningFacts> GatherAsync(Triplet triplet, TripletRecord? own, ScreeningFacts known, DateTimeOffset now, CancellationToken storageToken, CancellationToken requestToken)
    {
        var step = GreylistRules.EvaluateTriplet(own, _options, now);
        var facts = step.WouldDefer && !known.Screened ? await screener.ScreenAsync(triplet, known, storageToken, requestToken) : known;
        var needsClient = _options.AutoWhitelistAfter > 0 && facts.Client is null
            && (step.Outcome == TripletOutcome.Passed
                || (step.WouldDefer && GreylistRules.Decide(triplet, own, facts, _options, _options.PageUrl, now).Verdict.Reason
                    is not (GreylistReason.Whitelisted or GreylistReason.Blocklisted)));
        return needsClient ? facts with { Client = await clients.GetAsync(triplet.Client, storageToken) } : facts;
    }

    private static partial class Log
    {
        [LoggerMessage(5001, LogLevel.Warning, "Greylist storage failed for client {ClientAddress}; answered with fail mode {FailMode}")]
        public static partial void StorageFailed(ILogger logger, string clientAddress, GreylistFailMode failMode, Exception exception);

        [LoggerMessage(5002, LogLevel.Debug, "Greylist triplet of client {ClientAddress} was changed by another check (attempt {Attempt}); deciding again")]
        public static partial void LostRace(ILogger logger, string clientAddress, int attempt);

        [LoggerMessage(5003, LogLevel.Warning, "Greylist triplet of client {ClientAddress} kept changing under us {Attempts} times; answered without storing")]
        public static partial void GaveUp(ILogger logger, string clientAddress, int attempts);

        [LoggerMessage(5007, LogLevel.Debug, "Greylist client {ClientAddress} continues the triplet of network {Network}: the sender's SPF authorises it")]
        public static partial void SameClientBySpf(ILogger logger, string clientAddress, string network);
    }
}
