using System.Net;
using BlocklistApi.Dns;
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
public sealed partial class SpfEvaluator(DnsLookupService dns, ReverseDnsService reverseDns, IOptions<SpfOptions> options, TimeProvider timeProvider, ILogger<SpfEvaluator> logger)
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

        var (local, senderDomain) = MailAddresses.Split(sender);
        var localPart = local is { Length: > 0 } ? local : "postmaster";
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
        if (!DnsNames.IsQueryableName(name) || !name.Contains('.', StringComparison.Ordinal))
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

        return DnsNames.IsQueryableName(name) ? name : null;
    }

    private async Task<Decision> EvaluateAsync(Evaluation state, string domain, bool explain)
    {
        var (found, failure) = await FindRecordAsync(state, domain);
        if (failure is { } stop)
        {
            return stop;
        }

        var text = found!;
        if (text.Any(c => c > '~'))
        {
            return Decision.Permanent($"The SPF record of {domain} contains non-ASCII characters; SPF records are 7-bit ASCII (RFC 7208 section 3.1).");
        }

        if (!SpfRecord.TryParse(text, out var record, out var error))
        {
            return Decision.Permanent($"The SPF record of {domain} has a syntax error: {error}");
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
                return new Decision(directive.Qualifier, directive.Text, explanation, null);
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
                return Decision.Permanent($"redirect={redirect} in the SPF record of {domain} does not give a valid domain name.");
            }

            var inner = await EvaluateAsync(state, target, explain);
            return inner.Result == SpfResult.None
                ? Decision.Permanent($"redirect={target} in the SPF record of {domain} points to a domain without an SPF record.")
                : inner;
        }

        return new Decision(SpfResult.Neutral, null, null, null);
    }

    private async Task<(string? Text, Decision? Failure)> FindRecordAsync(Evaluation state, string domain)
    {
        var answer = await QueryAsync(state, domain, QueryType.TXT);
        switch (answer.Status)
        {
            case DnsLookupStatus.Timeout:
                return (null, Decision.Temporary($"The DNS lookup of the TXT records of {domain} timed out."));
            case var _ when answer.IsFailure:
                return (null, Decision.Temporary($"The DNS lookup of the TXT records of {domain} failed ({Why(answer)})."));
            case DnsLookupStatus.NxDomain:
                return (null, new Decision(SpfResult.None, null, null, $"{domain} does not exist in DNS."));
        }

        // Section 3.3: a record split into several strings is their concatenation, without spaces.
        var records = answer.Texts.Where(SpfRecord.IsSpfRecord).ToList();
        return records.Count switch
        {
            0 => (null, new Decision(SpfResult.None, null, null, $"{domain} publishes no SPF record (no TXT record starting with v=spf1).")),
            1 => (records[0], null),
            _ => (null, Decision.Permanent($"{domain} publishes {records.Count} SPF records; there must be exactly one (RFC 7208 section 4.5), so merge them.")),
        };
    }

    private async Task<(bool Matched, Decision? Stop)> MatchAsync(Evaluation state, string domain, SpfDirective directive)
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
                var (validated, nothingFound) = await ValidatedNamesAsync(state, name => DnsNames.IsSameOrSubdomain(name, target), firstOnly: true);
                return (validated.Count > 0, nothingFound ? CountVoid(state) : null);
            }

            case SpfMechanismKind.Exists:
            {
                // Section 5.7: always an A query, whatever the client's address family.
                var answer = await QueryAsync(state, target, QueryType.A);
                if (Failure(answer, $"exists:{target}") is { } failure)
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

    private async Task<(bool Matched, Decision? Stop)> IncludeAsync(Evaluation state, string domain, SpfDirective directive)
    {
        var target = await TargetAsync(state, domain, directive.Target);
        if (target is null)
        {
            return (false, Decision.Permanent($"{directive.Text} in the SPF record of {domain} does not give a valid domain name."));
        }

        // Section 5.2: the included record's exp= is never used.
        var inner = await EvaluateAsync(state, target, explain: false);
        return inner.Result switch
        {
            SpfResult.Pass => (true, null),
            SpfResult.Fail or SpfResult.SoftFail or SpfResult.Neutral => (false, null),
            SpfResult.TempError => (false, inner),
            SpfResult.None => (false, Decision.Permanent($"{directive.Text}: {inner.Error} An included domain must publish an SPF record (RFC 7208 section 5.2).")),
            _ => (false, inner),
        };
    }

    private async Task<(bool Matched, Decision? Stop)> MxAsync(Evaluation state, string target, SpfDirective directive)
    {
        var answer = await QueryAsync(state, target, QueryType.MX);
        if (Failure(answer, $"mx:{target}") is { } failure)
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
            return (false, Decision.Permanent($"{target} has {exchanges.Count} MX records; the mx mechanism may look at most {NameLimit} (RFC 7208 section 4.6.4)."));
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
    private async Task<(IReadOnlyList<IPAddress> Addresses, Decision? Stop)> AddressesAsync(Evaluation state, string name, bool countVoid)
    {
        var ipv4 = state.Ip.IsIPv4();
        var answer = await QueryAsync(state, name, ipv4 ? QueryType.A : QueryType.AAAA);
        if (Failure(answer, name) is { } failure)
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
        var answer = await QueryAsync(state, DnsNames.ReverseName(state.Ip), QueryType.PTR);
        if (answer.IsFailure)
        {
            return ([], false);
        }

        var names = answer.PtrNames.Take(NameLimit).ToList();
        var confirmations = await reverseDns.ConfirmAsync(state.Ip, names.Where(wanted).ToList(), stopAtFirst: firstOnly, state.Token);
        return (confirmations.Where(c => c.Confirmed == true).Select(c => c.Name).ToList(), names.Count == 0);
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
            ?? validated.FirstOrDefault(n => DnsNames.IsSameOrSubdomain(n, domain))
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
            var records = answer.Status == DnsLookupStatus.Found ? answer.Texts : [];
            if (records.Count == 1 && SpfMacroString.TryParse(records[0], SpfMacroSyntax.Explanation, out var parsed, out _))
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

    private static Decision? CountDnsTerm(Evaluation state) => ++state.DnsTerms > DnsTermLimit
        ? Decision.Permanent($"The SPF evaluation needs more than {DnsTermLimit} DNS lookups (include, a, mx, ptr, exists, redirect; RFC 7208 section 4.6.4). Flatten includes or use ip4:/ip6:.")
        : null;

    // Section 4.6.4: more than the limit of lookups that find nothing (NXDOMAIN or no answers) is a permerror.
    private static Decision? CountVoid(Evaluation state) => ++state.VoidLookups > state.Options.VoidLookupLimit
        ? Decision.Permanent($"More than {state.Options.VoidLookupLimit} DNS lookups found nothing (void lookups, RFC 7208 section 4.6.4); remove mechanisms that name domains without records.")
        : null;

    private Task<DnsLookup> QueryAsync(Evaluation state, string name, QueryType type)
    {
        state.Token.ThrowIfCancellationRequested();
        return dns.LookupAsync(name, type, state.Token);
    }

    private static string TrimDot(string name) => name.EndsWith('.') ? name[..^1] : name;

    /// <summary>Section 5: a timeout or server failure during a mechanism ends the check with temperror.</summary>
    private static Decision? Failure(DnsLookup lookup, string what) => lookup.Status switch
    {
        DnsLookupStatus.Timeout => Decision.Temporary($"The DNS lookup for {what} timed out."),
        _ when lookup.IsFailure => Decision.Temporary($"The DNS lookup for {what} failed ({Why(lookup)})."),
        _ => null,
    };

    private static string Why(DnsLookup lookup) => lookup.ResponseCode is { } code && code != DnsHeaderResponseCode.NoError
        ? code.ToString()
        : lookup.Status == DnsLookupStatus.Malformed ? "unreadable answer" : lookup.Error ?? lookup.Status.ToString();

    private readonly record struct Decision(SpfResult Result, string? Mechanism, string? Explanation, string? Error)
    {
        public static Decision Permanent(string error) => new(SpfResult.PermError, null, null, error);

        public static Decision Temporary(string error) => new(SpfResult.TempError, null, null, error);
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
        [LoggerMessage(3001, LogLevel.Debug, "SPF check of {Domain} gave {Result}: {Error}")]
        public static partial void CheckFailed(ILogger logger, string domain, SpfResult result, string error);

        [LoggerMessage(3002, LogLevel.Warning, "SPF check of {Domain} did not finish within {Timeout}")]
        public static partial void CheckTimedOut(ILogger logger, string domain, TimeSpan timeout);
    }
}
