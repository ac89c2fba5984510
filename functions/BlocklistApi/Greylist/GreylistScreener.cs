using BlocklistApi.Dns;
using BlocklistApi.Lists;
using BlocklistApi.Reputation;
using BlocklistApi.Spf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Greylist;

/// <summary>
/// Gathers the facts about a client that decide whether it is greylisted at all (hosted allow list, zones,
/// forward-confirmed rDNS), asking only what the configuration needs, and the SPF fact of the same-client rule.
/// </summary>
public sealed partial class GreylistScreener
{
    private readonly HostedListService _hostedLists;
    private readonly ReputationService _reputation;
    private readonly ReverseDnsService _reverseDns;
    private readonly SpfService _spf;
    private readonly GreylistOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<GreylistScreener> _logger;
    private readonly bool _needsReputation;
    private readonly bool _needsReverseDns;

    public GreylistScreener(
        HostedListService hostedLists,
        ReputationService reputation,
        DnsblZones zones,
        ReverseDnsService reverseDns,
        SpfService spf,
        IOptions<GreylistOptions> options,
        TimeProvider timeProvider,
        ILogger<GreylistScreener> logger)
    {
        _hostedLists = hostedLists;
        _reputation = reputation;
        _reverseDns = reverseDns;
        _spf = spf;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        // Zones are asked only for what needs them: allow zones (whitelist), blocklist rejection, suspicious mode's score.
        _needsReputation = zones.All.Count > 0
            && (zones.All.Any(z => z.Kind == ZoneKind.Allow) || _options.BlocklistReject || _options.Mode == GreylistMode.Suspicious);
        _needsReverseDns = _options.WhitelistClients.Count > 0 || _options.Mode == GreylistMode.Suspicious;
    }

    /// <summary>
    /// The whitelist and reputation facts, added to <paramref name="known"/>. The hosted lists are read within
    /// <paramref name="storageToken"/>; DNS work keeps its own timeouts and <paramref name="requestToken"/>.
    /// </summary>
    internal async Task<ScreeningFacts> ScreenAsync(Triplet triplet, ScreeningFacts known, CancellationToken storageToken, CancellationToken requestToken)
    {
        // The recipient is known here, so an approved whitelist request for it (a scoped allow entry) counts too.
        var mail = new MailContext(triplet.Recipient, triplet.SenderDomain);
        var reputationTask = _needsReputation ? _reputation.CheckAsync(triplet.Client, mail, requestToken) : null;
        var reverseDnsTask = _needsReverseDns ? _reverseDns.LookupAsync(triplet.Client, requestToken) : null;
        var allowTask = _needsReputation ? null : _hostedLists.MatchAsync(triplet.Client, mail, storageToken);
        await Task.WhenAll(new Task?[] { reputationTask, reverseDnsTask, allowTask }.OfType<Task>());
        var report = reputationTask is null ? null : await reputationTask;
        var allowEntry = report is null ? (await allowTask!).Entry : report.LocalListing;
        return known with
        {
            Screened = true,
            AllowListed = allowEntry?.List == HostedListKind.Allow,
            Reputation = report is null ? null : ReputationFacts.From(report),
            ReverseDns = reverseDnsTask is null ? null : await reverseDnsTask,
        };
    }

    /// <summary>SPF pass for the sender's domain (the HELO name for the null sender) within Greylist:SpfTimeout; anything else is no.</summary>
    internal async Task<bool> SpfAuthorizesAsync(Triplet triplet, CancellationToken cancellationToken)
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

    private static partial class Log
    {
        [LoggerMessage(5008, LogLevel.Warning, "Greylist SPF check for client {ClientAddress} timed out; the retry counts as new")]
        public static partial void SpfTimedOut(ILogger logger, string clientAddress);
    }
}
