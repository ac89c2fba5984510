using System.Net;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Logging;

namespace BlocklistApi.Dns;

/// <summary>
/// The one way the app asks DNS. Every answer is a <see cref="DnsLookup"/>: records with their TTLs, or NXDOMAIN,
/// NODATA, timeout, server failure, an unreadable answer. DNS trouble is never an exception; only the caller's own
/// cancellation is (an <see cref="OperationCanceledException"/>). Features keep their rules on top (SPF's void-lookup
/// limit, DNSBL code meanings, diagnostics advice).
/// </summary>
public sealed partial class DnsLookupService(IDnsQuery dns, TimeProvider timeProvider, ILogger<DnsLookupService> logger)
{
    /// <summary>Asks with the shared Dns:* settings (resolvers, timeout, retries, client cache).</summary>
    public Task<DnsLookup> LookupAsync(string name, QueryType type, CancellationToken cancellationToken) =>
        LookupAsync(name, type, null, cancellationToken);

    /// <summary>The PTR records of an address (IPv4-mapped IPv6 is asked as IPv4).</summary>
    public Task<DnsLookup> LookupReverseAsync(IPAddress address, CancellationToken cancellationToken) =>
        LookupAsync(DnsNames.ReverseName(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address), QueryType.PTR, null, cancellationToken);

    /// <summary>Asks with <paramref name="options"/> (their resolvers and one timeout for the whole lookup) when given.</summary>
    public async Task<DnsLookup> LookupAsync(string name, QueryType type, DnsLookupOptions? options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var shown = options?.DisplayName ?? name;
        if (ToQueryName(name) is not { } queryName)
        {
            Log.LookupFailed(logger, shown, type, "invalid name");
            return DnsLookup.Invalid(name, type);
        }

        using var deadline = options is null ? null : new CancellationTokenSource(options.Timeout, timeProvider);
        using var linked = deadline is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var question = new DnsQuestion(queryName, type);
        try
        {
            var response = options is null
                ? await dns.QueryAsync(question, cancellationToken)
                : await dns.QueryAsync(question, options.Query, linked!.Token);
            var lookup = FromResponse(name, type, response, shown);
            if (lookup.IsFailure)
            {
                Log.LookupFailed(logger, shown, type, lookup.ResponseCode?.ToString() ?? lookup.Status.ToString());
            }

            return lookup;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TimedOut(name, type, shown);
        }
        catch (DnsResponseException ex) when (ex.Code == DnsResponseCode.ConnectionTimeout)
        {
            // DnsClient reports a cancelled query as a timeout: the caller's own cancellation stays an exception.
            cancellationToken.ThrowIfCancellationRequested();
            return TimedOut(name, type, shown);
        }
        catch (DnsResponseException ex)
        {
            Log.LookupFailed(logger, shown, type, ex.Code.ToString());
            return new DnsLookup(name, type, DnsLookupStatus.ServerFailure, [], null, null, $"The DNS lookup of {shown} {type} failed ({ex.DnsError}).");
        }
        catch (DnsResponseParseException ex)
        {
            // A garbled answer is a DNS failure like SERVFAIL, not a bug of ours.
            Log.LookupFailed(logger, shown, type, ex.Message);
            return new DnsLookup(name, type, DnsLookupStatus.Malformed, [], null, null, $"The DNS answer for {shown} {type} could not be read.");
        }
    }

    /// <summary>Maps a response to a lookup: pure, so the mapping is unit-tested without a server.</summary>
    internal static DnsLookup FromResponse(string name, QueryType type, IDnsQueryResponse response, string? shownName = null)
    {
        var shown = shownName ?? name;
        var code = response.Header.ResponseCode;
        var soa = response.Authorities.OfType<SoaRecord>().FirstOrDefault();
        if (code == DnsHeaderResponseCode.NotExistentDomain)
        {
            return new DnsLookup(name, type, DnsLookupStatus.NxDomain, [], soa, code, null);
        }

        if (code != DnsHeaderResponseCode.NoError)
        {
            return new DnsLookup(name, type, DnsLookupStatus.ServerFailure, [], null, code, $"The DNS server answered {code} for {shown} {type}.");
        }

        var records = response.Answers.Where(r => r.RecordType == (ResourceRecordType)type).ToList();
        return records.Count > 0
            ? new DnsLookup(name, type, DnsLookupStatus.Found, records, null, code, null)
            : new DnsLookup(name, type, DnsLookupStatus.NoData, [], soa, code, null);
    }

    // DnsString.Parse refuses names that are legal to ask for but are no host names (the SPF grammar allows
    // a:foo:bar/baz.example.com) or turns them into IDNA: such names go out as written once their label lengths are
    // checked. Plain host names, "xn--" labels included, are parsed. Null when DNS cannot carry the name.
    private static DnsString? ToQueryName(string name)
    {
        var bare = name.EndsWith('.') ? name[..^1] : name;
        if (!DnsNames.IsQueryableName(bare))
        {
            return null;
        }

        return bare.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? DnsString.Parse(bare)
            : DnsString.FromResponseQueryString(bare + ".");
    }

    private DnsLookup TimedOut(string name, QueryType type, string shown)
    {
        Log.LookupFailed(logger, shown, type, "timeout");
        return new DnsLookup(name, type, DnsLookupStatus.Timeout, [], null, null, $"The DNS lookup of {shown} {type} timed out.");
    }

    private static partial class Log
    {
        [LoggerMessage(1201, LogLevel.Debug, "DNS {Type} lookup of {Name} failed: {Error}")]
        public static partial void LookupFailed(ILogger logger, string name, QueryType type, string error);
    }
}
