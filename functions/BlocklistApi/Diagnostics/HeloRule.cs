using System.Net;
using BlocklistApi.Dns;
using BlocklistApi.Net;

namespace BlocklistApi.Diagnostics;

/// <summary>The forms a HELO/EHLO argument takes (RFC 5321 section 4.1.1.1: a domain, or an address literal).</summary>
public enum HeloForm
{
    /// <summary>A fully qualified domain name, e.g. mail.example.com.</summary>
    HostName,
    /// <summary>[192.0.2.1] or [IPv6:2001:db8::1].</summary>
    AddressLiteral,
    /// <summary>A single label such as "localhost" or "mailserver".</summary>
    NotQualified,
    /// <summary>Neither a domain name nor an address literal.</summary>
    Invalid,
}

/// <summary>
/// The helo check's decision: the HELO name should resolve to the client's address and be its rDNS name. Receivers
/// compare the three (Spamhaus, Gmail and Microsoft document it; postfix's reject_unknown_helo_hostname refuses a
/// name without an address).
/// </summary>
public static class HeloRule
{
    /// <summary>Where servers set their HELO name, so the advice names the setting.</summary>
    public const string WhereToSet = "Postfix: smtp_helo_name (default: myhostname); Exim: helo_data; Exchange: the FQDN of the send connector.";

    public static HeloForm Classify(string helo)
    {
        if (helo.Length > 2 && helo[0] == '[' && helo[^1] == ']')
        {
            return SmtpGreeting.IsAddressLiteral(helo) ? HeloForm.AddressLiteral : HeloForm.Invalid;
        }

        if (!DnsNames.IsValidDomainName(helo))
        {
            return HeloForm.Invalid;
        }

        var name = helo.TrimEnd('.');
        var top = name[(name.LastIndexOf('.') + 1)..];
        return !name.Contains('.', StringComparison.Ordinal) || top.All(char.IsAsciiDigit) ? HeloForm.NotQualified : HeloForm.HostName;
    }

    /// <summary>
    /// Decides the check. <paramref name="addresses"/> is the A (IPv4) or AAAA (IPv6) lookup of the name, null when
    /// the name is not a host name and so was not looked up.
    /// </summary>
    public static DiagnosticCheck Evaluate(string helo, string source, IPAddress ip, ReverseDnsResult rdns, DnsLookup? addresses)
    {
        var said = source == "banner" ? $"Your server greets as {helo}, so we take that as its HELO name" : $"The HELO name {helo}";
        var ptr = rdns.Name ?? (rdns.PtrNames.Count > 0 ? rdns.PtrNames[0] : null);
        var useName = ptr is null ? "a name of your own, e.g. mail.example.com, " : $"{ptr}, ";
        switch (Classify(helo))
        {
            case HeloForm.AddressLiteral:
                var literal = IpAddressParser.ParseOrNull(helo[1..^1].Replace("IPv6:", "", StringComparison.OrdinalIgnoreCase));
                var same = ip.Equals(literal);
                return Check(
                    same ? CheckStatus.Warn : CheckStatus.Fail,
                    same
                        ? $"{said} is an address literal. RFC 5321 allows it, but many receivers refuse or distrust clients that do not give a name."
                        : $"{said} is an address literal for a different address than {ip}, the one the mail comes from.",
                    $"Make the server say HELO with {useName}the name its address points to. {WhereToSet}",
                    new HeloData(helo, source, literal is null ? [] : [literal.ToString()], same, false));
            case HeloForm.Invalid:
                return Check(CheckStatus.Fail, $"{said} is not a valid host name.", $"Set the HELO name to {useName}a fully qualified name. {WhereToSet}", new HeloData(helo, source, [], false, false));
            case HeloForm.NotQualified:
                return Check(CheckStatus.Fail, $"{said} is not a fully qualified domain name; receivers refuse names such as 'localhost' or a bare host name.",
                    $"Set the HELO name to {useName}a fully qualified name that resolves to {ip}. {WhereToSet}", new HeloData(helo, source, [], false, false));
        }

        if (addresses is null || addresses.IsFailure)
        {
            return Check(CheckStatus.Error, $"{said} could not be looked up: {addresses?.Error ?? "no lookup was made"}", "Try again in a few minutes; if this persists, check that the DNS servers of your domain answer.", null);
        }

        var name = helo.TrimEnd('.');
        var found = addresses.Addresses;
        var resolves = found.Contains(ip);
        var matches = rdns.PtrNames.Any(p => p.TrimEnd('.').Equals(name, StringComparison.OrdinalIgnoreCase));
        var data = new HeloData(name, source, found.Select(a => a.ToString()).ToList(), resolves, matches);
        var resolvesTo = found.Count == 0 ? "has no address record" : $"resolves to {string.Join(", ", found)}";
        var record = ip.IsIPv4() ? "A" : "AAAA";
        if (resolves && matches)
        {
            return Check(CheckStatus.Pass, $"{said} resolves to {ip} and is its rDNS name.", null, data);
        }

        if (resolves)
        {
            return rdns.Status == ReverseDnsStatus.Failed && rdns.PtrNames.Count == 0
                ? Check(CheckStatus.Error, $"{said} resolves to {ip}, but the rDNS lookup failed, so we could not compare the two.", "Try again in a few minutes.", data)
                : ptr is null
                    ? Check(CheckStatus.Warn, $"{said} resolves to {ip}, but {ip} has no rDNS name to match it.", $"Ask the provider of {ip} to set its reverse DNS (PTR) to {name}.", data)
                    : Check(CheckStatus.Warn, $"{said} resolves to {ip}, but the rDNS name of {ip} is {ptr}.",
                        $"Use one name for both: set the HELO name to {ptr}, or ask the provider of {ip} to set its PTR to {name}. {WhereToSet}", data);
        }

        return matches
            ? Check(CheckStatus.Fail, $"{said} is the rDNS name of {ip}, but it {resolvesTo}.", $"Add an {record} record for {name} pointing to {ip} at your DNS host.", data)
            : Check(CheckStatus.Fail, $"{said} {resolvesTo}, not {ip}" + (ptr is null ? $", and {ip} has no rDNS name." : $", and it is not the rDNS name of {ip} ({ptr})."),
                $"Make the server say HELO with {useName}a name that has an {record} record for {ip} and is its PTR name. {WhereToSet}", data);
    }

    private static DiagnosticCheck Check(CheckStatus status, string detail, string? advice, object? data) =>
        new(DiagnosticsService.HeloCheck, status, detail, advice, data);
}
