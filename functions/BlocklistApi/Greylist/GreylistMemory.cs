using BlocklistApi.Caching;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Greylist;

/// <summary>
/// What this instance remembers in front of storage: known triplets for Greylist:KnownTripletCacheTtl (a known
/// triplet then costs no storage operation) and auto-whitelist client records for Greylist:ClientCacheTtl. Both are
/// bounded; when full, the entries closest to expiry are evicted.
/// </summary>
public sealed class GreylistMemory(IOptions<GreylistOptions> options, TimeProvider timeProvider)
{
    private const int MaxClients = 100_000;
    private const int MaxTriplets = 200_000;

    private readonly GreylistOptions _options = options.Value;
    private readonly BoundedCache<string, TripletRecord> _knownTriplets = new(MaxTriplets, timeProvider, StringComparer.Ordinal);
    private readonly BoundedCache<string, ClientMemory> _clients = new(MaxClients, timeProvider, StringComparer.Ordinal);

    /// <summary>A known triplet read within the TTL decides without storage, unless its refresh is due (the rules say).</summary>
    internal GreylistVerdict? KnownVerdict(Triplet triplet, TripletKeys keys, DateTimeOffset now)
    {
        if (!_knownTriplets.TryGet(keys.RowKey, out var record))
        {
            return null;
        }

        var decision = GreylistRules.Decide(triplet, record, ScreeningFacts.None, _options, _options.PageUrl, now);
        return decision is { Triplet: TripletOutcome.Known, TripletWrite: null } ? decision.Verdict : null;
    }

    internal void RememberTriplet(TripletKeys keys, TripletRecord? own)
    {
        if (own is { State: TripletState.Passed })
        {
            _knownTriplets.Set(keys.RowKey, own, _options.KnownTripletCacheTtl);
        }
    }

    internal void ForgetTriplet(TripletKeys keys) => _knownTriplets.Remove(keys.RowKey);

    /// <summary>True with the remembered record (which may be "no record") when this client was read recently.</summary>
    internal bool TryGetClient(string address, out ClientRecord? record)
    {
        var found = _clients.TryGet(address, out var remembered);
        record = remembered?.Record;
        return found;
    }

    internal void RememberClient(string address, ClientRecord? record) => _clients.Set(address, new ClientMemory(record), _options.ClientCacheTtl);

    internal void ForgetClient(string address) => _clients.Remove(address);

    /// <summary>Forgets everything (after a purge, which may have deleted remembered rows).</summary>
    internal void Clear()
    {
        _knownTriplets.Clear();
        _clients.Clear();
    }

    private sealed record ClientMemory(ClientRecord? Record);
}
