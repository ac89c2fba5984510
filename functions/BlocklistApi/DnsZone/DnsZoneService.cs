using BlocklistApi.Lists;
using BlocklistApi.PublicPage;
using BlocklistApi.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.DnsZone;

/// <summary>
/// Answers one DNS message for our zones: parses it (<see cref="DnsWire"/>), finds the hosted list entry for the
/// queried address (the same match reputation uses: allow wins over block, the most specific range wins, expired
/// entries do not count) within DnsZone:Timeout, and writes the answer (<see cref="DnsZoneAnswers"/>). The lists
/// not answering in time gives SERVFAIL, so resolvers try again rather than cache a wrong "not listed".
/// </summary>
public sealed partial class DnsZoneService
{
    private static readonly TimeSpan s_logInterval = TimeSpan.FromMinutes(1);
    private readonly HostedListService _lists;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<DnsZoneService> _logger;
    private readonly TimeSpan _timeout;
    private long _lastFailureLogTicks = long.MinValue;
    private int _failuresSinceLog;

    public DnsZoneService(HostedListService lists, IOptions<DnsZoneOptions> options, IOptions<PublicPageOptions> page, TimeProvider timeProvider, ILogger<DnsZoneService> logger)
    {
        _lists = lists;
        _timeProvider = timeProvider;
        _logger = logger;
        _timeout = options.Value.Timeout;
        // The SOA serial: when this instance started, in seconds (RFC 1982 arithmetic; no zone transfers here).
        var serial = (uint)timeProvider.GetUtcNow().ToUnixTimeSeconds();
        Answers = options.Value.Enabled ? new DnsZoneAnswers(options.Value, page.Value.Url, serial) : null;
    }

    internal DnsZoneAnswers? Answers { get; }

    /// <summary>The response to a message received over UDP or TCP; null to send nothing (not a query, or too short to answer).</summary>
    public async Task<byte[]?> AnswerAsync(ReadOnlyMemory<byte> message, bool udp, CancellationToken cancellationToken)
    {
        var query = DnsWire.Parse(message.Span);
        if (query is null)
        {
            return null;
        }

        if (query.Question is not { } question)
        {
            return DnsWire.WriteHeaderOnly(query);
        }

        if (query.BadEdnsVersion)
        {
            return DnsWire.WriteResponse(query, DnsCodes.NoError, false, [], [], udp);
        }

        if (Answers is not { } answers || question.Class is not (DnsCodes.ClassIn or DnsCodes.ClassAny) || answers.Locate(question) is not { } target)
        {
            return DnsWire.WriteResponse(query, DnsCodes.Refused, false, [], [], udp);
        }

        HostedListEntry? match = null;
        if (target.Address is { } address && !DnsZoneAnswers.IsTestPoint(address))
        {
            try
            {
                // Usually answered from the lists in memory, and then WaitAsync sets no timer. A storage read that
                // overruns goes on in the background, bounded by Storage:Timeout, while this query gets SERVFAIL.
                var found = await _lists.MatchAsync(address, cancellationToken).WaitAsync(_timeout, _timeProvider, cancellationToken);
                if (found.Degraded)
                {
                    // Storage did not answer: the lists in memory may be out of date (or empty), and a DNSBL must not
                    // say "not listed" when it cannot tell.
                    throw new TimeoutException("The hosted lists could not be read from storage in time.");
                }

                match = found.Entry;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (ex is OperationCanceledException or TimeoutException || StorageFailures.IsUnavailable(ex, cancellationToken)))
            {
                LogFailure(ex);
                return DnsWire.WriteResponse(query, DnsCodes.ServFail, false, [], [], udp);
            }
        }

        var answer = answers.Answer(question, target, match);
        return DnsWire.WriteResponse(query, answer.Rcode, true, answer.Answers, answer.Authority, udp);
    }

    // At most one line a minute while the lists cannot be read: a resolver retrying would otherwise flood the log.
    private void LogFailure(Exception exception)
    {
        var now = _timeProvider.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _lastFailureLogTicks);
        Interlocked.Increment(ref _failuresSinceLog);
        if (now - last >= s_logInterval.Ticks && Interlocked.CompareExchange(ref _lastFailureLogTicks, now, last) == last)
        {
            Log.ListsUnavailable(_logger, Interlocked.Exchange(ref _failuresSinceLog, 0), exception);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(11001, LogLevel.Warning, "DNS zone: the hosted lists could not be read in time; {Count} queries answered SERVFAIL since the last report")]
        public static partial void ListsUnavailable(ILogger logger, int count, Exception exception);
    }
}
