using System.Collections.Concurrent;
using System.Net;
using Azure;
using BlocklistApi.Dns;
using BlocklistApi.Http;
using BlocklistApi.Lists;
using BlocklistApi.Net;
using BlocklistApi.PublicPage;
using BlocklistApi.Reputation;
using BlocklistApi.Spf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Greylist;

/// <summary>
/// Greylisting checks: gathers the stored state and, only when the triplet alone would defer, the whitelist facts;
/// asks <see cref="GreylistRules.Decide"/>; writes what it says with ETags. A known triplet costs one read (none while
/// this instance remembers it, Greylist:KnownTripletCacheTtl) and, within Greylist:RefreshInterval, no write. Storage
/// trouble answers with Greylist:FailMode within Greylist:StorageTimeout.
/// </summary>
public sealed partial class GreylistService
{
    private const int MaxAttempts = 3;
    private const int MaxCachedClients = 100_000;
    private const int MaxCachedTriplets = 200_000;

    private readonly GreylistStore _store;
    private readonly GreylistCounters _counters;
    private readonly HostedListService _hostedLists;
    private readonly ReputationService _reputation;
    private readonly ReverseDnsService _reverseDns;
    private readonly SpfService _spf;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<GreylistService> _logger;
    private readonly GreylistOptions _options;
    private readonly string? _pageUrl;
    private readonly bool _needsReputation;
    private readonly bool _needsReverseDns;
    private readonly ConcurrentDictionary<string, CachedClient> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CachedTriplet> _knownTriplets = new(StringComparer.Ordinal);

    public GreylistService(
        GreylistStore store,
        GreylistCounters counters,
        HostedListService hostedLists,
        ReputationService reputation,
        DnsblZones zones,
        ReverseDnsService reverseDns,
        SpfService spf,
        IOptions<GreylistOptions> options,
        IOptions<PublicPageOptions> publicPage,
        TimeProvider timeProvider,
        ILogger<GreylistService> logger)
    {
        _store = store;
        _counters = counters;
        _hostedLists = hostedLists;
        _reputation = reputation;
        _reverseDns = reverseDns;
        _spf = spf;
        _timeProvider = timeProvider;
        _logger = logger;
        _options = options.Value;
        _pageUrl = publicPage.Value.Url is { Length: > 0 } url ? url : null;
        // Zones are asked only for what needs them: allow zones (whitelist), blocklist rejection, suspicious mode's score.
        _needsReputation = zones.All.Count > 0
            && (zones.All.Any(z => z.Kind == ZoneKind.Allow) || _options.BlocklistReject || _options.Mode == GreylistMode.Suspicious);
        _needsReverseDns = _options.WhitelistClients.Count > 0 || _options.Mode == GreylistMode.Suspicious;
    }

    /// <summary>Checks one message's triplet; a 400 error for a malformed request, else a verdict (never an exception for storage trouble).</summary>
    public async Task<Outcome<GreylistVerdict>> CheckAsync(GreylistCheckRequest request, CancellationToken cancellationToken)
    {
        if (!TryParse(request, out var triplet, out var error))
        {
            return ApiError.Invalid(error);
        }

        var verdict = await DecideAsync(triplet, cancellationToken);
        _counters.CountCheck(verdict);
        return verdict;
    }

    /// <summary>The shared statistics (this instance's counts added first).</summary>
    public Task<GreylistStats> GetStatsAsync(CancellationToken cancellationToken) => _counters.ReadAsync(cancellationToken);

    /// <summary>Deletes triplets and clients past their age (see <see cref="GreylistStore"/> for why this stays cheap).</summary>
    public async Task PurgeAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var triplets = 0;
        var clients = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(GreylistStore.PurgePartitions, parallel, async (partition, token) =>
        {
            var (purgedTriplets, purgedClients) = await _store.PurgePartitionAsync(partition, _options, now, token);
            Interlocked.Add(ref triplets, purgedTriplets);
            Interlocked.Add(ref clients, purgedClients);
        });
        _counters.CountPurge(triplets, clients, now);
        _clients.Clear();
        _knownTriplets.Clear();
        Log.Purged(_logger, triplets, clients);
        await _counters.FlushAsync(cancellationToken);
    }

    private async Task<GreylistVerdict> DecideAsync(Triplet triplet, CancellationToken cancellationToken)
    {
        // postgrey's recipient whitelist needs no storage at all.
        if (GreylistScreening.RecipientOptedOut(_options.EffectiveWhitelistRecipients, triplet.Recipient))
        {
            return GreylistRules.Accept(GreylistReason.Whitelisted);
        }

        using var deadline = new CancellationTokenSource(_options.StorageTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await DecideWithStorageAsync(triplet, linked.Token, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested
            && (ex is OperationCanceledException or RequestFailedException || Problems.IsUnavailableDependency(ex)))
        {
            Log.StorageFailed(_logger, triplet.Client.ToString(), _options.FailMode, ex);
            return GreylistRules.Degraded(_options, _timeProvider.GetUtcNow(), _pageUrl);
        }
    }

    // storageToken carries Greylist:StorageTimeout; DNS work (rDNS, zones) keeps its own timeouts and the request's token.
    private async Task<GreylistVerdict> DecideWithStorageAsync(Triplet triplet, CancellationToken storageToken, CancellationToken requestToken)
    {
        var keys = GreylistStore.KeysFor(triplet);
        var now = _timeProvider.GetUtcNow();
        if (KnownFromMemory(triplet, keys, now) is { } remembered)
        {
            return remembered;
        }

        var pair = await _store.ReadPairAsync(keys, storageToken);
        var own = pair.FirstOrDefault(r => r.Network == triplet.Network);
        RememberKnown(keys, own, now);

        // A pool retrying from another network: if the sender domain's SPF authorises this address, it continues the
        // other network's triplet. The pair query above already read every network's row; the adopted state is
        // inserted as this network's row by the decision below, so the SPF check is not repeated once it passed.
        if (own is null && _options.SpfSameClient
            && GreylistRules.SameClientCandidate(pair, triplet, _options, now) is { } sibling
            && await SpfAuthorizesAsync(triplet, requestToken))
        {
            Log.SameClientBySpf(_logger, triplet.Client.ToString(), sibling.Network.ToString());
            own = GreylistRules.Adopt(sibling, triplet);
        }

        GreylistDecision? first = null;
        var facts = await GatherAsync(triplet, own, ScreeningFacts.None, now, storageToken, requestToken);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var decision = GreylistRules.Decide(triplet, own, facts, _options, _pageUrl, now);
            first ??= decision;
            if (decision.TripletWrite is not { } write || await _store.WriteTripletAsync(keys, write, storageToken) == WriteOutcome.Written)
            {
                if (decision.TripletWrite is { IfMatch: null })
                {
                    _counters.CountTripletCreated();
                }

                if (decision.Triplet == TripletOutcome.Passed)
                {
                    _counters.CountPass();
                }

                await WriteClientAsync(triplet, decision.ClientWrite, now, storageToken);
                return Agree(first, decision);
            }

            if (write.IsRefreshOnly)
            {
                // Another check refreshed the known triplet first: nothing is lost.
                return decision.Verdict;
            }

            // Another check (another MX host) inserted or changed the row since we read it: read it and decide again.
            _knownTriplets.TryRemove(keys.RowKey, out _);
            Log.LostRace(_logger, triplet.Client.ToString(), attempt);
            own = await _store.GetTripletAsync(keys, storageToken);
            now = _timeProvider.GetUtcNow();
            facts = await GatherAsync(triplet, own, facts, now, storageToken, requestToken);
        }

        Log.GaveUp(_logger, triplet.Client.ToString(), MaxAttempts);
        return first!.Verdict;
    }

    // SPF pass for the sender's domain (the HELO name for the null sender), within Greylist:SpfTimeout; anything else is no.
    private async Task<bool> SpfAuthorizesAsync(Triplet triplet, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_options.SpfTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            var report = triplet.SenderDomain is not null
                ? (await _spf.CheckAsync(triplet.Client, triplet.Sender, triplet.HeloName, linked.Token)).Value
                : triplet.HeloName is { Length: > 0 } helo ? await _spf.CheckHeloAsync(triplet.Client, helo, linked.Token) : null;
            return report?.Result == SpfResult.Pass;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.SpfTimedOut(_logger, triplet.Client.ToString());
            return false;
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
    /// Gathers what the decision needs beyond the triplet, and only then: whitelist and reputation facts when the
    /// triplet alone would defer; the client's auto-whitelist record when it would defer (and no whitelist decided)
    /// or when it passes (to count the pass).
    /// </summary>
    private async Task<ScreeningFacts> GatherAsync(Triplet triplet, TripletRecord? own, ScreeningFacts known, DateTimeOffset now, CancellationToken storageToken, CancellationToken requestToken)
    {
        var step = GreylistRules.EvaluateTriplet(own, _options, now);
        var facts = known;
        if (step.WouldDefer && !known.Screened)
        {
            var reputationTask = _needsReputation ? _reputation.CheckAsync(triplet.Client, requestToken) : null;
            var reverseDnsTask = _needsReverseDns ? _reverseDns.LookupAsync(triplet.Client, requestToken) : null;
            var allowTask = _needsReputation ? null : _hostedLists.MatchAsync(triplet.Client, storageToken);
            await Task.WhenAll(new Task?[] { reputationTask, reverseDnsTask, allowTask }.OfType<Task>());
            var report = reputationTask is null ? null : await reputationTask;
            var allowEntry = report is null ? await allowTask! : report.LocalListing;
            facts = known with
            {
                Screened = true,
                AllowListed = allowEntry?.List == HostedListKind.Allow,
                Reputation = report is null ? null : ReputationFacts.From(report),
                ReverseDns = reverseDnsTask is null ? null : await reverseDnsTask,
            };
        }

        var needsClient = _options.AutoWhitelistAfter > 0 && facts.Client is null
            && (step.Outcome == TripletOutcome.Passed
                || (step.WouldDefer && GreylistRules.Decide(triplet, own, facts, _options, _pageUrl, now).Verdict.Reason
                    is not (GreylistReason.Whitelisted or GreylistReason.Blocklisted)));
        return needsClient ? facts with { Client = await GetClientAsync(triplet.Client, now, storageToken) } : facts;
    }

    private async Task WriteClientAsync(Triplet triplet, ClientWrite? write, DateTimeOffset now, CancellationToken storageToken)
    {
        var address = triplet.Client.ToString();
        try
        {
            for (var attempt = 1; write is not null && attempt <= MaxAttempts; attempt++)
            {
                var (outcome, record) = await _store.WriteClientAsync(address, write, storageToken);
                if (outcome == WriteOutcome.Written)
                {
                    Remember(address, record, now);
                    if (write.ReachesThreshold)
                    {
                        _counters.CountClientWhitelisted();
                        Log.AutoWhitelisted(_logger, address, record!.Passes);
                    }

                    return;
                }

                _clients.TryRemove(address, out _);
                if (write.IsRefreshOnly)
                {
                    return;
                }

                // Another instance counted a pass for this client meanwhile: count ours on top (or not, within the hour).
                var current = await _store.GetClientAsync(address, storageToken);
                Remember(address, current, now);
                write = GreylistRules.CountPass(current, _options, now);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or RequestFailedException || Problems.IsUnavailableDependency(ex))
        {
            // The triplet is written and decides this check; only this pass's auto-whitelist count is lost.
            Log.ClientWriteFailed(_logger, address, ex);
        }
    }

    // A known triplet read within Greylist:KnownTripletCacheTtl decides without storage, unless its refresh is due.
    private GreylistVerdict? KnownFromMemory(Triplet triplet, TripletKeys keys, DateTimeOffset now)
    {
        if (!_knownTriplets.TryGetValue(keys.RowKey, out var cached) || now - cached.FetchedAt >= _options.KnownTripletCacheTtl)
        {
            return null;
        }

        var decision = GreylistRules.Decide(triplet, cached.Record, ScreeningFacts.None, _options, _pageUrl, now);
        return decision is { Triplet: TripletOutcome.Known, TripletWrite: null } ? decision.Verdict : null;
    }

    private void RememberKnown(TripletKeys keys, TripletRecord? own, DateTimeOffset now)
    {
        if (_options.KnownTripletCacheTtl <= TimeSpan.Zero || own is not { State: TripletState.Passed })
        {
            return;
        }

        if (_knownTriplets.Count >= MaxCachedTriplets)
        {
            _knownTriplets.Clear();
        }

        _knownTriplets[keys.RowKey] = new CachedTriplet(own, now);
    }

    private async Task<ClientRecord?> GetClientAsync(IPAddress client, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var address = client.ToString();
        if (_options.ClientCacheTtl > TimeSpan.Zero && _clients.TryGetValue(address, out var cached) && now - cached.FetchedAt < _options.ClientCacheTtl)
        {
            return cached.Record;
        }

        var record = await _store.GetClientAsync(address, cancellationToken);
        Remember(address, record, now);
        return record;
    }

    private void Remember(string address, ClientRecord? record, DateTimeOffset now)
    {
        if (_options.ClientCacheTtl <= TimeSpan.Zero)
        {
            return;
        }

        if (_clients.Count >= MaxCachedClients)
        {
            _clients.Clear();
        }

        _clients[address] = new CachedClient(record, now);
    }

    private bool TryParse(GreylistCheckRequest request, out Triplet triplet, out string error)
    {
        triplet = null!;
        if (!IpAddressParser.TryParse(request.ClientAddress, out var address, out error))
        {
            error = "'clientAddress': " + error;
            return false;
        }

        if (!GreylistAddresses.TryNormalizeSender(request.Sender, out var sender, out var senderDomain, out error)
            || !GreylistAddresses.TryNormalizeRecipient(request.Recipient, out var recipient, out error))
        {
            return false;
        }

        if (request.HeloName is { Length: > 255 } || request.ClientName is { Length: > 255 })
        {
            error = "'heloName' and 'clientName' may be at most 255 characters.";
            return false;
        }

        var prefix = address.IsIPv4() ? _options.Ipv4PrefixLength : _options.Ipv6PrefixLength;
        triplet = new Triplet(address, IpNetwork.Of(address, prefix), sender, recipient, senderDomain, request.HeloName);
        return true;
    }

    private sealed record CachedClient(ClientRecord? Record, DateTimeOffset FetchedAt);

    private sealed record CachedTriplet(TripletRecord Record, DateTimeOffset FetchedAt);

    private static partial class Log
    {
        [LoggerMessage(5001, LogLevel.Warning, "Greylist storage failed for client {ClientAddress}; answered with fail mode {FailMode}")]
        public static partial void StorageFailed(ILogger logger, string clientAddress, GreylistFailMode failMode, Exception exception);

        [LoggerMessage(5002, LogLevel.Debug, "Greylist triplet of client {ClientAddress} was changed by another check (attempt {Attempt}); deciding again")]
        public static partial void LostRace(ILogger logger, string clientAddress, int attempt);

        [LoggerMessage(5003, LogLevel.Warning, "Greylist triplet of client {ClientAddress} kept changing under us {Attempts} times; answered without storing")]
        public static partial void GaveUp(ILogger logger, string clientAddress, int attempts);

        [LoggerMessage(5004, LogLevel.Warning, "Greylist auto-whitelist count of client {ClientAddress} could not be written")]
        public static partial void ClientWriteFailed(ILogger logger, string clientAddress, Exception exception);

        [LoggerMessage(5005, LogLevel.Information, "Greylist client {ClientAddress} is auto-whitelisted after {Passes} passes")]
        public static partial void AutoWhitelisted(ILogger logger, string clientAddress, int passes);

        [LoggerMessage(5006, LogLevel.Information, "Greylist purge deleted {Triplets} triplets and {WhitelistedClients} auto-whitelisted clients")]
        public static partial void Purged(ILogger logger, int triplets, int whitelistedClients);

        [LoggerMessage(5007, LogLevel.Information, "Greylist client {ClientAddress} continues the triplet of network {Network}: the sender's SPF authorises it")]
        public static partial void SameClientBySpf(ILogger logger, string clientAddress, string network);

        [LoggerMessage(5008, LogLevel.Warning, "Greylist SPF check for client {ClientAddress} timed out; the retry counts as new")]
        public static partial void SpfTimedOut(ILogger logger, string clientAddress);
    }
}
