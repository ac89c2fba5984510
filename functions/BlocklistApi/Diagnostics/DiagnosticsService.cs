using System.Net;
using BlocklistApi.Dns;
using BlocklistApi.Storage;
using BlocklistApi.Net;
using BlocklistApi.Reputation;
using BlocklistApi.Spf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Diagnostics;

/// <summary>
/// Tests a sending mail server the way receivers judge it: reverse DNS, HELO name, SMTP greeting, SPF, TTLs, MX
/// records and blocklists, each check with what we found and what to do. Checks run concurrently under one deadline
/// (Diagnostics:Timeout); DNS trouble and time running out make a check's status <c>error</c>, never a failed report.
/// </summary>
public sealed partial class DiagnosticsService(
    ReverseDnsService reverseDns,
    SpfService spf,
    ReputationService reputation,
    SmtpBannerReader bannerReader,
    DnsLookupService dns,
    IOptions<DiagnosticsOptions> options,
    TimeProvider timeProvider,
    ILogger<DiagnosticsService> logger)
{
    public const string RdnsCheck = "rdns";
    public const string FcrdnsCheck = "fcrdns";
    public const string HeloCheck = "helo";
    public const string BannerCheck = "banner";
    public const string SpfCheck = "spf";
    public const string TtlCheck = "ttl";
    public const string MxCheck = "mx";
    public const string SameIpCheck = "same-ip";
    public const string ListingsCheck = "listings";

    /// <summary>The longest HELO name or sender address we accept (RFC 5321 section 4.5.3.1).</summary>
    public const int MaxLength = SpfService.MaxLength;

    /// <summary>Every check, in the order of the report.</summary>
    public static IReadOnlyList<string> CheckNames { get; } = [RdnsCheck, FcrdnsCheck, HeloCheck, BannerCheck, SpfCheck, TtlCheck, MxCheck, SameIpCheck, ListingsCheck];

    /// <summary>
    /// Runs every check for <paramref name="ip"/>. <paramref name="helo"/> is the name the server gives in HELO/EHLO
    /// and <paramref name="sender"/> a MAIL FROM address (or just its domain); both optional, and the checks that need
    /// them say so when they are missing.
    /// </summary>
    public async Task<Outcome<DiagnosticsReport>> RunAsync(IPAddress ip, string? helo, string? sender, CancellationToken cancellationToken)
    {
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }

        if (ValidateInput(helo, sender, out var heloName, out var senderAddress, out var domain) is { } invalid)
        {
            return invalid;
        }

        var settings = options.Value;
        using var deadline = new CancellationTokenSource(settings.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var token = linked.Token;
        var lookups = new DnsLookups(dns);

        // Lookups several checks need start once, here; each check awaits what it needs.
        var run = new Run(
            ip,
            heloName,
            senderAddress,
            domain,
            lookups,
            reverseDns.LookupAsync(ip, token),
            bannerReader.ReadAsync(ip, token),
            domain is null ? null : LookupMxAsync(lookups, domain, settings.MaxMxHosts, token),
            token);

        var checks = await Task.WhenAll(
            GuardAsync(RdnsCheck, () => CheckReverseDnsAsync(run), deadline.Token, cancellationToken),
            GuardAsync(FcrdnsCheck, () => CheckForwardConfirmedAsync(run), deadline.Token, cancellationToken),
            GuardAsync(HeloCheck, () => CheckHeloAsync(run), deadline.Token, cancellationToken),
            GuardAsync(BannerCheck, () => CheckBannerAsync(run), deadline.Token, cancellationToken),
            GuardAsync(SpfCheck, () => CheckSpfAsync(run), deadline.Token, cancellationToken),
            GuardAsync(TtlCheck, () => CheckTtlAsync(run, settings), deadline.Token, cancellationToken),
            GuardAsync(MxCheck, () => CheckMxAsync(run), deadline.Token, cancellationToken),
            GuardAsync(SameIpCheck, () => CheckSameIpAsync(run), deadline.Token, cancellationToken),
            GuardAsync(ListingsCheck, () => CheckListingsAsync(run), deadline.Token, cancellationToken));
        return new DiagnosticsReport(ip.ToString(), checks);
    }

    /// <summary>Checks the optional inputs; the HELO name is judged by its check, so only junk is refused here.</summary>
    internal static ApiError? ValidateInput(string? helo, string? sender, out string? heloName, out string? senderAddress, out string? domain)
    {
        heloName = string.IsNullOrWhiteSpace(helo) ? null : helo.Trim();
        senderAddress = null;
        domain = null;
        if (heloName is not null && (heloName.Length > 255 || heloName.Any(c => c is <= ' ' or > '~')))
        {
            return ApiError.Invalid("helo: give the name your server sends in HELO/EHLO, e.g. mail.example.com (at most 255 characters, no spaces).", nameof(helo));
        }

        var from = string.IsNullOrWhiteSpace(sender) ? null : sender.Trim().Trim('<', '>');
        if (string.IsNullOrEmpty(from))
        {
            return null;
        }

        if (from.Length > MaxLength)
        {
            return ApiError.Invalid($"sender: at most {MaxLength} characters.", nameof(sender));
        }

        var name = MailAddresses.Split(from).Domain.TrimEnd('.');
        if (!DnsNames.IsValidDomainName(name) || !name.Contains('.', StringComparison.Ordinal))
        {
            return ApiError.Invalid($"sender: '{from}' does not end in a domain name; give the address you send from, e.g. bounce@example.com, or just its domain.", nameof(sender));
        }

        domain = name.ToLowerInvariant();
        // A bare domain is checked as postmaster@domain, the address RFC 7208 section 2.4 uses when there is no local part.
        senderAddress = from.Contains('@', StringComparison.Ordinal) ? from : "postmaster@" + domain;
        return null;
    }

    // The deadline and DNS or storage trouble become this check's error; anything else is a bug and propagates.
    private async Task<DiagnosticCheck> GuardAsync(string name, Func<Task<DiagnosticCheck>> check, CancellationToken deadline, CancellationToken cancellationToken)
    {
        try
        {
            var result = await check();
            // Services that turn cancellation into a failure (ReverseDnsService, DnsClient) end with an error after the
            // deadline: say that time ran out, which is what happened.
            return result.Status == CheckStatus.Error && deadline.IsCancellationRequested ? TimedOut(name) with { Data = result.Data } : result;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TimedOut(name);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            Log.CheckFailed(logger, name, ex);
            return new DiagnosticCheck(name, CheckStatus.Error, "The check could not be completed: a lookup failed on our side or in DNS.", "Try again in a few minutes.", null);
        }
    }

    private DiagnosticCheck TimedOut(string name)
    {
        Log.CheckTimedOut(logger, name, options.Value.Timeout);
        return new DiagnosticCheck(name, CheckStatus.Error,
            $"The check did not finish within {options.Value.Timeout.TotalSeconds:0.#} s.",
            "Try again in a few minutes. If it keeps timing out, the DNS servers of your domain or of your address may be slow or unreachable.", null);
    }

    /// <summary>The state of one report, shared by its checks.</summary>
    private sealed record Run(
        IPAddress Ip,
        string? Helo,
        string? Sender,
        string? Domain,
        DnsLookups Lookups,
        Task<ReverseDnsResult> ReverseDns,
        Task<BannerProbe> Banner,
        Task<MxReport>? Mx,
        CancellationToken Token);

    private static partial class Log
    {
        [LoggerMessage(4001, LogLevel.Warning, "Diagnostics check {Check} did not finish within {Timeout}")]
        public static partial void CheckTimedOut(ILogger logger, string check, TimeSpan timeout);

        [LoggerMessage(4002, LogLevel.Warning, "Diagnostics check {Check} failed")]
        public static partial void CheckFailed(ILogger logger, string check, Exception exception);
    }
}
