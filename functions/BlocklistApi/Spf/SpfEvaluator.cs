using System.Net;
using System.Text;
using BlocklistApi.Net;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Spf;

/// <summary>
/// RFC 7208 check_host(): finds the domain's SPF record in DNS and evaluates it for a client address. Parsing, macro
/// expansion and address matching are pure (<see cref="SpfRecord"/>, <see cref="SpfMacroString"/>); this class does the
/// lookups and applies the processing limits of section 4.6.4.
/// </summary>
public sealed partial class SpfEvaluator(IDnsQuery dns, IOptions<SpfOptions> options, TimeProvider timeProvider, ILogger<SpfEvaluator> logger)
{
    /// <summary>Terms that query DNS (include, a, mx, ptr, exists, redirect) allowed per check (section 4.6.4).</summary>
    public const int DnsTermLimit = 10;

    /// <summary>MX records an mx mechanism may have, and PTR names considered by ptr and %{p} (section 4.6.4).</summary>
    public const int NameLimit = 10;

    /// <summary>
    /// check_host(<paramref name="ip"/>, <paramref name="domain"/>, <paramref name="sender"/>). Never throws for DNS
    /// trouble: timeouts and server failures are <see cref="SpfResult.TempError"/>.
    /// </summary>
    /// <param name="ip">The SMTP client's address; IPv4-mapped IPv6 is treated as IPv4 (section 5).</param>
    /// <param name="domain">The domain to check: the MAIL FROM domain, or the HELO name.</param>
    /// <param name="sender">The MAIL FROM address, or postmaster@helo for the HELO identity and the null sender.</param>
    /// <param name="helo">The HELO/EHLO name, for %{h}.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    public async Task<SpfCheck> CheckHostAsync(IPAddress ip, string domain, string sender, string helo, CancellationToken cancellationToken)
    {
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }

        // Section 4.3: a malformed or single-label domain gives "none" at once.
        var name = domain.EndsWith('.') ? domain[..^1] : domain;
        if (!IsCheckableDomain(name))
        {
            return new SpfCheck(SpfResult.None, null, null, 0, domain, $"'{domain}' is not a fully qualified domain name, so it has no SPF record to check.");
        }

        var at = sender.LastIndexOf('@');
        var localPart = at > 0 ? sender[..at] : "postmaster";
        var senderDomain = at >= 0 ? sender[(at + 1)..] : sender;
        var settings = options.Value;
        using var deadline = new CancellationTokenSource(settings.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var state = new Evaluation(ip, $"{localPart}@{senderDomain}", localPart, senderDomain, helo, settings, timeProvider.GetUtcNow(), linked.Token);
        try
        {
            var outcome = await EvaluateAsync(state, name, explain: true);
            if (outcome.Result is SpfResult.TempError or SpfResult.PermError)
            {
                Log.CheckFailed(logger, name, outcome.Result, outcome.Error ?? "");
            }

            return new SpfCheck(outcome.Result, outcome.Mechanism, outcome.Explanation, state.DnsTerms, name, outcome.Error);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Section 4.6.4: an overall time limit, exceeded, SHOULD give temperror.
            Log.CheckTimedOut(logger, name, settings.Timeout);
            return new SpfCheck(SpfResult.TempError, null, null, state.DnsTerms, name,
                $"The SPF check of {name} took longer than {settings.Timeout.TotalSeconds:0.#} s; try again later.");
        }
    }

    /// <summary>Section 4.3: a name we can check is multi-label, has labels of 1-63 octets, no domain literal and a non-numeric top label.</summary>
    internal static bool IsCheckableDomain(string name)
    {
        if (!IsQueryableName(name) || !name.Contains('.', StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is <= ' ' or > '~' or '[' or ']' or '@')
            {
                return false;
            }
        }

        var top = name[(name.LastIndexOf('.') + 1)..];
        return !top.All(char.IsAsciiDigit);
    }

    /// <summary>A name DNS can carry: non-empty labels of at most 63 octets, at most 253 characters in all (RFC 1035 section 2.3.4).</summary>
    internal static bool IsQueryableName(string name)
    {
        if (name.Length is 0 or > 253)
        {
            return false;
        }

        foreach (var label in name.Split('.'))
        {
            if (label.Length == 0 || Encoding.UTF8.GetByteCount(label) > 63)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A macro-expanded domain-spec as a name to query (section 7.3): without a trailing dot, left labels dropped until it
    /// fits 253 characters; null when it still is no valid name (treated as a name that does not exist, by analogy with 4.3).
    /// </summary>
    internal static string? ToQueryName(string expanded)
    {
        var name = expanded.EndsWith('.') ? expanded[..^1] : expanded;
        while (name.Length > 253)
        {
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0)
            {
                return null;
            }

            name = name[(dot + 1)..];
        }

        return IsQueryableName(name) ? name : null;
    }

    internal static bool IsSameOrSubdomain(string name, string domain) =>
        name.Equals(domain, StringComparison.OrdinalIgnoreCase)
        || (name.Length > domain.Length && name.EndsWith(domain, StringComparison.OrdinalIgnoreCase) && name[name.Length - domain.Length - 1] == '.');

    /// <summary>The reverse-lookup name of an address: d.c.b.a.in-addr.arpa or 32 nibbles.ip6.arpa.</summary>
    internal static string ReverseName(IPAddress ip) => DnsNames.ReverseLabels(ip) + (ip.IsIPv4() ? ".in-addr.arpa" : ".ip6.arpa");

    private async Task<Outcome> EvaluateAsync(Evaluation state, string domain, bool explain)
    {
        var (found, failure) = await FindRecordAsync(state, domain);
        if (failure is { } stop)
        {
            return stop;
        }

        var text = found!;
        if (text.Any(c => c > '~'))
        {
            return Outcome.Permanent($"The SPF record of {domain} contains non-ASCII characters; SPF records are 7-bit ASCII (RFC 7208 section 3.1).");
        }

        if (!SpfRecord.TryParse(text, out var record, out var error))
        {
            return Outcome.Permanent($"The SPF record of {domain} has a syntax error: {error}");
        }

        foreach (var directive in record.Directives)
        {
            if (directive.QueriesDns && CountDnsTerm(state) is { } limit)
            {
                return limit;
            }

            var (matched, stopped) = await MatchAsync(state, domain, directive);
            if (stopped is { } mechanismFailure)
            {
                return mechanismFailure;
            }

            if (matched)
            {
                var explanation = directive.Qualifier == SpfResult.Fail && explain ? await ExplainAsync(state, domain, record.Explanation) : null;
                return new Outcome(directive.Qualifier, directive.Text, explanation, null);
            }
        }

        // Section 6.1: redirect applies only when no mechanism matched; the target's exp= then applies, not ours.
        if (record.Redirect is { } redirect)
        {
            if (CountDnsTerm(state) is { } limit)
            {
                return limit;
            }

            var target = await TargetAsync(state, domain, redirect);
            if (target is null)
            {
                return Outcome.Permanent($"redirect={redirect} in the SPF record of {domain} does not give a valid domain name.");
            }

            var inner = await EvaluateAsync(state, target, explain);
            return inner.Result == SpfResult.None
                ? Outcome.Permanent($"redirect={target} in the SPF record of {domain} points to a domain without an SPF record.")
                : inner;
        }

        return new Outcome(SpfResult.Neutral, null, null, null);
    }

    private async Task<(string? Text, Outcome? Failure)> FindRecordAsync(Evaluation state, string domain)
    {
        var answer = await QueryAsync(state, domain, QueryType.TXT);
        switch (answer.Status)
        {
            case LookupStatus.Timeout:
                return (null, Outcome.Temporary($"The DNS lookup of the TXT records of {domain} timed out."));
            case LookupStatus.Error:
                return (null, Outcome.Temporary($"The DNS lookup of the TXT records of {domain} failed ({answer.Error})."));
            case LookupStatus.NxDomain:
                return (null, new Outcome(SpfResult.None, null, null, $"{domain} does not exist in DNS."));
        }

        // Section 3.3: a record split into several strings is their concatenation, without spaces.
        var records = answer.Records.OfType<TxtRecord>().Select(t => string.Concat(t.Text)).Where(SpfRecord.IsSpfRecord).ToList();
        return records.Count switch
        {
            0 => (null, new Outcome(SpfResult.None, null, null, $"{domain} publishes no SPF record (no TXT record starting with v=spf1).")),
            1 => (records[0], null),
            _ => (null, Outcome.Permanent($"{domain} publishes {records.Count} SPF records; there must be exactly one (RFC 7208 section 4.5), so merge them.")),
        };
    }

    private async Task<(bool Matched, Outcome? Stop)> MatchAsync(Evaluation state, string domain, SpfDirective directive)
    {
        switch (directive.Kind)
        {
            case SpfMechanismKind.All:
                return (true, null);
            case SpfMechanismKind.Ip4 or SpfMechanismKind.Ip6:
                return (directive.Network!.Value.Contains(state.Ip), null);
            case SpfMechanismKind.Include:
                return await IncludeAsync(state, domain, directive);
        }

        var target = await TargetAsync(state, domain, directive.Target);
        if (target is null)
        {
            // A target that is no valid DNS name cannot exist: no match (the suite's invalid-domain cases).
            return (false, null);
        }

        switch (directive.Kind)
        {
            case SpfMechanismKind.A:
            {
                var (addresses, stop) = await AddressesAsync(state, target, countVoid: true);
                return (addresses.Any(a => directive.Covers(state.Ip, a)), stop);
            }

            case SpfMechanismKind.Mx:
                return await MxAsync(state, target, directive);
            case SpfMechanismKind.Ptr:
            {
                var (validated, nothingFound) = await ValidatedNamesAsync(state, name => IsSameOrSubdomain(name, target), firstOnly: true);
                return (validated.Count > 0, nothingFound ? CountVoid(state) : null);
            }

            case SpfMechanismKind.Exists:
            {
                // Section 5.7: always an A query, whatever the client's address family.
                var answer = await QueryAsync(state, target, QueryType.A);
                if (answer.Failure($"exists:{target}") is { } failure)
                {
                    return (false, failure);
                }

                var found = answer.Records.OfType<ARecord>().Any();
                return (found, found ? null : CountVoid(state));
            }

            default:
                throw new InvalidOperationException($"Mechanism {directive.Kind} is not handled.");
        }
    }

    private async Task<(bool Matched, Outcome? Stop)> IncludeAsync(Evaluation state, string domain, SpfDirective directive)
    {
        var target = await TargetAsync(state, domain, directive.Target);
        if (target is null)
        {
            return (false, Outcome.Permanent($"{directive.Text} in the SPF record of {domain} does not give a valid domain name."));
        }

        // Section 5.2: the included record's exp= is never used.
        var inner = await EvaluateAsync(state, target, explain: false);
        return inner.Result switch
        {
            SpfResult.Pass => (true, null),
            SpfResult.Fail or SpfResult.SoftFail or SpfResult.Neutral => (false, null),
            SpfResult.TempError => (false, inner),
            SpfResult.None => (false, Outcome.Permanent($"{directive.Text}: {inner.Error} An included domain must publish an SPF record (RFC 7208 section 5.2).")),
            _ => (false, inner),
        };
    }

    private async Task<(bool Matched, Outcome? Stop)> MxAsync(Evaluation state, string target, SpfDirective directive)
    {
        var answer = await QueryAsync(state, target, QueryType.MX);
        if (answer.Failure($"mx:{target}") is { } failure)
        {
            return (false, failure);
        }

        var exchanges = answer.Records.OfType<MxRecord>().Select(m => TrimDot(m.Exchange.Value)).ToList();
        if (exchanges.Count == 0)
        {
            return (false, CountVoid(state));
        }

        if (exchanges.Count > NameLimit)
        {
            return (false, Outcome.Permanent($"{target} has {exchanges.Count} MX records; the mx mechanism may look at most {NameLimit} (RFC 7208 section 4.6.4)."));
        }

        foreach (var exchange in exchanges)
        {
            // A null MX (RFC 7505, exchange ".") names no host.
            if (exchange.Length == 0)
            {
                continue;
            }

            var (addresses, stop) = await AddressesAsync(state, exchange, countVoid: false);
            if (stop is not null)
            {
                return (false, stop);
            }

            if (addresses.Any(a => directive.Covers(state.Ip, a)))
            {
                return (true, null);
            }
        }

        return (false, null);
    }

    /// <summary>The A (IPv4 client) or AAAA (IPv6 client) addresses of a name; a DNS failure stops the check with temperror (section 5).</summary>
    private async Task<(IReadOnlyList<IPAddress> Addresses, Outcome? Stop)> AddressesAsync(Evaluation state, string name, bool countVoid)
    {
        var ipv4 = state.Ip.IsIPv4();
        var answer = await QueryAsync(state, name, ipv4 ? QueryType.A : QueryType.AAAA);
        if (answer.Failure(name) is { } failure)
        {
            return ([], failure);
        }

        var addresses = answer.Records.OfType<AddressRecord>().Select(r => r.Address).Where(a => a.IsIPv4() == ipv4).ToList();
        return (addresses, addresses.Count == 0 && countVoid ? CountVoid(state) : null);
    }

    /// <summary>
    /// Validated names of the client (section 5.5): PTR names (the first 10) that <paramref name="wanted"/> accepts and
    /// whose addresses include the client. DNS errors here never stop the check: a failed PTR lookup matches nothing and a
    /// name whose address lookup fails is skipped.
    /// </summary>
    private async Task<(IReadOnlyList<string> Validated, bool NothingFound)> ValidatedNamesAsync(Evaluation state, Func<string, bool> wanted, bool firstOnly)
    {
        var answer = await QueryAsync(state, ReverseName(state.Ip), QueryType.PTR);
        if (answer.Status is LookupStatus.Timeout or LookupStatus.Error)
        {
            return ([], false);
        }

        var names = answer.Records.OfType<PtrRecord>().Select(p => TrimDot(p.PtrDomainName.Value)).Take(NameLimit).ToList();

        var validated = new List<string>();
        foreach (var name in names.Where(n => n.Length > 0 && wanted(n)))
        {
            var address = await QueryAsync(state, name, state.Ip.IsIPv4() ? QueryType.A : QueryType.AAAA);
            if (address.Status == LookupStatus.Ok && address.Records.OfType<AddressRecord>().Any(r => r.Address.Equals(state.Ip)))
            {
                validated.Add(name);
                if (firstOnly)
                {
                    break;
                }
            }
        }

        return (validated, names.Count == 0);
    }

    /// <summary>%{p} (section 7.3): the domain itself if validated, else a validated subdomain of it, else any validated name, else null ("unknown").</summary>
    private async Task<string?> ValidatedNameAsync(Evaluation state, string domain)
    {
        if (state.ValidatedNames.TryGetValue(domain, out var known))
        {
            return known;
        }

        var (validated, _) = await ValidatedNamesAsync(state, _ => true, firstOnly: false);
        var best = validated.FirstOrDefault(n => n.Equals(domain, StringComparison.OrdinalIgnoreCase))
            ?? validated.FirstOrDefault(n => IsSameOrSubdomain(n, domain))
            ?? (validated.Count > 0 ? validated[0] : null);
        state.ValidatedNames[domain] = best;
        return best;
    }

    private async Task<string?> TargetAsync(Evaluation state, string domain, SpfMacroString? spec)
    {
        if (spec is null)
        {
            return domain;
        }

        var validated = spec.UsesValidatedName ? await ValidatedNameAsync(state, domain) : null;
        return ToQueryName(spec.Expand(state.Context(domain, validated)));
    }

    /// <summary>
    /// The explanation of a fail (section 6.2): the exp= TXT record, expanded; any problem with it (bad name, DNS error,
    /// no or several records, bad syntax) falls back to the default explanation. Its lookup counts against no limit.
    /// </summary>
    private async Task<string> ExplainAsync(Evaluation state, string domain, SpfMacroString? exp)
    {
        SpfMacroString? text = null;
        if (exp is not null && await TargetAsync(state, domain, exp) is { } target)
        {
            var answer = await QueryAsync(state, target, QueryType.TXT);
            var records = answer.Status == LookupStatus.Ok ? answer.Records.OfType<TxtRecord>().ToList() : [];
            if (records.Count == 1 && SpfMacroString.TryParse(string.Concat(records[0].Text), SpfMacroSyntax.Explanation, out var parsed, out _))
            {
                text = parsed;
            }
        }

        if (text is null && !SpfMacroString.TryParse(state.Options.DefaultExplanation, SpfMacroSyntax.Explanation, out text, out _))
        {
            // The options validator checks the default at start; this only guards against a later change.
            return state.Options.DefaultExplanation;
        }

        var validated = text.UsesValidatedName ? await ValidatedNameAsync(state, domain) : null;
        return text.Expand(state.Context(domain, validated));
    }

    private static Outcome? CountDnsTerm(Evaluation state) => ++state.DnsTerms > DnsTermLimit
        ? Outcome.Permanent($"The SPF evaluation needs more than {DnsTermLimit} DNS lookups (include, a, mx, ptr, exists, redirect; RFC 7208 section 4.6.4). Flatten includes or use ip4:/ip6:.")
        : null;

    // Section 4.6.4: more than the limit of lookups that find nothing (NXDOMAIN or no answers) is a permerror.
    private static Outcome? CountVoid(Evaluation state) => ++state.VoidLookups > state.Options.VoidLookupLimit
        ? Outcome.Permanent($"More than {state.Options.VoidLookupLimit} DNS lookups found nothing (void lookups, RFC 7208 section 4.6.4); remove mechanisms that name domains without records.")
        : null;

    private async Task<Lookup> QueryAsync(Evaluation state, string name, QueryType type)
    {
        state.Token.ThrowIfCancellationRequested();
        try
        {
            var response = await dns.QueryAsync(new DnsQuestion(QueryName(name), type), state.Token);
            var code = response.Header.ResponseCode;
            return code switch
            {
                DnsHeaderResponseCode.NoError => new Lookup(LookupStatus.Ok, response.Answers, null),
                DnsHeaderResponseCode.NotExistentDomain => new Lookup(LookupStatus.NxDomain, [], null),
                _ => new Lookup(LookupStatus.Error, [], code.ToString()),
            };
        }
        catch (DnsResponseException ex) when (ex.Code == DnsResponseCode.ConnectionTimeout)
        {
            Log.QueryTimedOut(logger, name, type);
            return new Lookup(LookupStatus.Timeout, [], "timeout");
        }
        catch (DnsResponseException ex)
        {
            Log.QueryFailed(logger, name, type, ex.Code.ToString());
            return new Lookup(LookupStatus.Error, [], ex.DnsError);
        }
        catch (DnsResponseParseException ex)
        {
            // A garbled answer is a DNS failure like SERVFAIL (temperror), not a bug of ours.
            Log.QueryFailed(logger, name, type, ex.Message);
            return new Lookup(LookupStatus.Error, [], "unreadable answer");
        }
    }

    // DnsString.Parse refuses names the SPF grammar allows (a:foo:bar/baz.example.com) or turns them into IDNA; such names
    // go out as written (IsQueryableName has checked their label lengths). Plain host names, "xn--" labels included, are parsed.
    private static DnsString QueryName(string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? DnsString.Parse(name)
            : DnsString.FromResponseQueryString(name + ".");

    private static string TrimDot(string name) => name.EndsWith('.') ? name[..^1] : name;

    private enum LookupStatus
    {
        Ok,
        NxDomain,
        Timeout,
        Error,
    }

    private readonly record struct Lookup(LookupStatus Status, IReadOnlyList<DnsResourceRecord> Records, string? Error)
    {
        /// <summary>Section 5: a timeout or server failure during a mechanism ends the check with temperror.</summary>
        public Outcome? Failure(string what) => Status switch
        {
            LookupStatus.Timeout => Outcome.Temporary($"The DNS lookup for {what} timed out."),
            LookupStatus.Error => Outcome.Temporary($"The DNS lookup for {what} failed ({Error})."),
            _ => null,
        };
    }

    private readonly record struct Outcome(SpfResult Result, string? Mechanism, string? Explanation, string? Error)
    {
        public static Outcome Permanent(string error) => new(SpfResult.PermError, null, null, error);

        public static Outcome Temporary(string error) => new(SpfResult.TempError, null, null, error);
    }

    /// <summary>The state of one check_host() call, shared by its includes and redirects (the limits are per check).</summary>
    private sealed class Evaluation(
        IPAddress ip,
        string sender,
        string localPart,
        string senderDomain,
        string helo,
        SpfOptions options,
        DateTimeOffset now,
        CancellationToken token)
    {
        public IPAddress Ip { get; } = ip;

        public SpfOptions Options { get; } = options;

        public CancellationToken Token { get; } = token;

        public int DnsTerms { get; set; }

        public int VoidLookups { get; set; }

        public Dictionary<string, string?> ValidatedNames { get; } = new(StringComparer.OrdinalIgnoreCase);

        public SpfMacroContext Context(string domain, string? validatedName) =>
            new(sender, localPart, senderDomain, domain, Ip, helo, Options.Receiver, now, validatedName);
    }

    private static partial class Log
    {
        [LoggerMessage(3001, LogLevel.Information, "SPF check of {Domain} gave {Result}: {Error}")]
        public static partial void CheckFailed(ILogger logger, string domain, SpfResult result, string error);

        [LoggerMessage(3002, LogLevel.Warning, "SPF check of {Domain} did not finish within {Timeout}")]
        public static partial void CheckTimedOut(ILogger logger, string domain, TimeSpan timeout);

        [LoggerMessage(3003, LogLevel.Debug, "DNS {Type} lookup of {Name} timed out")]
        public static partial void QueryTimedOut(ILogger logger, string name, QueryType type);

        [LoggerMessage(3004, LogLevel.Debug, "DNS {Type} lookup of {Name} failed: {Error}")]
        public static partial void QueryFailed(ILogger logger, string name, QueryType type, string error);
    }
}
