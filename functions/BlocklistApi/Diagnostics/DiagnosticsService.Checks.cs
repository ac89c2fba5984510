using System.Globalization;
using System.Net;
using BlocklistApi.Dns;
using BlocklistApi.Lists;
using BlocklistApi.Net;
using BlocklistApi.Reputation;
using BlocklistApi.Spf;
using DnsClient;

namespace BlocklistApi.Diagnostics;

// One method per check: each reads the shared lookups of the run and says what it found and what to do.
public sealed partial class DiagnosticsService
{
    private const string AskProvider = "Ask whoever gave you this address (your hosting or Internet provider) to set its reverse DNS (PTR record)";

    private static async Task<DiagnosticCheck> CheckReverseDnsAsync(Run run)
    {
        var rdns = await run.ReverseDns;
        var ip = run.Ip;
        if (rdns.PtrNames.Count == 0)
        {
            return rdns.Status == ReverseDnsStatus.Failed
                ? new(RdnsCheck, CheckStatus.Error, $"The reverse DNS lookup of {ip} failed: {rdns.Error}", "Try again in a few minutes; if this persists, the provider's reverse DNS servers are not answering.", null)
                : new(RdnsCheck, CheckStatus.Fail, $"{ip} has no reverse DNS (PTR) name. Many receivers refuse mail from addresses without one.",
                    $"{AskProvider} to your server's name, e.g. mail.example.com. Home and dynamic addresses usually cannot get one: send through your provider's mail relay instead.",
                    new ReverseDnsData([]));
        }

        var names = string.Join(", ", rdns.PtrNames);
        var data = new ReverseDnsData(rdns.PtrNames);
        var generic = rdns.PtrNames.Select(n => (Name: n, Reason: GenericReverseDns.Reason(n, ip))).FirstOrDefault(g => g.Reason is not null);
        if (generic.Reason is not null)
        {
            return new(RdnsCheck, CheckStatus.Warn,
                $"{ip} has the PTR name {names}, which looks like a provider's generic name: {generic.Reason}. Many receivers treat such addresses as home connections.",
                $"{AskProvider} to a name of your own, e.g. mail.example.com, with an A record pointing back to {ip}.", data);
        }

        return rdns.PtrNames.Count == 1
            ? new(RdnsCheck, CheckStatus.Pass, $"{ip} has the PTR name {names}.", null, data)
            : new(RdnsCheck, CheckStatus.Pass, $"{ip} has {rdns.PtrNames.Count} PTR names: {names}. One is usual; receivers may use any of them.", null, data);
    }

    private static async Task<DiagnosticCheck> CheckForwardConfirmedAsync(Run run)
    {
        var rdns = await run.ReverseDns;
        var ip = run.Ip;
        var record = ip.IsIPv4() ? "A" : "AAAA";
        switch (rdns.Status)
        {
            case ReverseDnsStatus.Confirmed:
                return new(FcrdnsCheck, CheckStatus.Pass, $"{rdns.Name} resolves back to {ip}: the name and the address confirm each other.", null, new ForwardConfirmedData(rdns.PtrNames, rdns.Name));
            case ReverseDnsStatus.NoName:
                return new(FcrdnsCheck, CheckStatus.Fail, $"{ip} has no PTR name, so there is nothing to confirm.",
                    $"First get a PTR name for {ip} (see the reverse DNS check), then add an {record} record for that name pointing to {ip}.", new ForwardConfirmedData([], null));
            case ReverseDnsStatus.NotConfirmed:
                var first = rdns.PtrNames[0];
                var forward = await run.Lookups.AddressesAsync(first, ip, run.Token);
                var resolvesTo = forward.Addresses.Count > 0 ? $"resolves to {string.Join(", ", forward.Addresses)}" : $"has no {record} record";
                return new(FcrdnsCheck, CheckStatus.Fail,
                    $"The PTR name {first} {resolvesTo}, not {ip}: the name does not confirm the address (forward-confirmed reverse DNS fails).",
                    $"Add an {record} record for {first} pointing to {ip} at the DNS host of {first}, or have the PTR set to a name that has one.",
                    new ForwardConfirmedData(rdns.PtrNames, null));
            default:
                return new(FcrdnsCheck, CheckStatus.Error, $"We could not confirm the PTR name of {ip}: {rdns.Error}", "Try again in a few minutes.", new ForwardConfirmedData(rdns.PtrNames, null));
        }
    }

    private static async Task<DiagnosticCheck> CheckHeloAsync(Run run)
    {
        var helo = run.Helo;
        var source = "given";
        if (helo is null)
        {
            var probe = await run.Banner;
            helo = probe.Greeting?.Host;
            source = "banner";
            if (helo is null)
            {
                return new(HeloCheck, CheckStatus.Warn,
                    "Not checked: no HELO name was given" + (probe.Outcome == BannerOutcome.Greeted ? ", and your server's greeting names none." : ", and we did not read one from your server's greeting."),
                    $"Enter the name your server sends in HELO/EHLO (its log shows it, as does the Received header it adds). {HeloRule.WhereToSet}",
                    new SkippedData(true, "no-helo"));
            }
        }

        var lookup = HeloRule.Classify(helo) == HeloForm.HostName ? await run.Lookups.AddressesAsync(helo, run.Ip, run.Token) : null;
        return HeloRule.Evaluate(helo, source, run.Ip, await run.ReverseDns, lookup);
    }

    private static async Task<DiagnosticCheck> CheckBannerAsync(Run run)
    {
        var probe = await run.Banner;
        var ip = run.Ip;
        var data = new BannerData(probe.Port, probe.Greeting is { } g ? string.Join("\n", g.Lines) : null, probe.Greeting?.Code, probe.Greeting?.Host);
        var port = probe.Port.ToString(CultureInfo.InvariantCulture);
        switch (probe.Outcome)
        {
            case BannerOutcome.Disabled:
                return new(BannerCheck, CheckStatus.Warn, "Not checked: this service does not connect to mail servers.",
                    $"Check it yourself from another network: 'nc {ip} {port}' (or telnet) should show '220 <your rDNS name> ESMTP...'; type QUIT to leave.",
                    new SkippedData(true, "disabled"));
            case BannerOutcome.NotAllowed:
                return new(BannerCheck, CheckStatus.Warn, $"Not checked: {probe.Error}",
                    "Mail reaches receivers from public addresses: test the public address your server sends from.", new SkippedData(true, "not-public"));
            case BannerOutcome.ConnectFailed or BannerOutcome.ConnectTimedOut:
                return new(BannerCheck, CheckStatus.Warn, $"{probe.Error} Receivers do not need this to take your mail, but some test it, and it shows the name your server uses.",
                    $"If this server only sends mail, you may leave it. If it should receive mail too, open TCP port {port} in its firewall and check that the mail server runs.", data);
            case BannerOutcome.NoGreeting or BannerOutcome.Garbled:
                return new(BannerCheck, CheckStatus.Warn, $"Port {port} answered, but not with a normal SMTP greeting: {probe.Error}",
                    "Check that a mail server (not another program or a firewall's proxy) listens on the port and greets within a few seconds.", data);
        }

        var greeting = probe.Greeting!;
        var firstLine = greeting.Lines[0];
        if (greeting.Code != 220)
        {
            return new(BannerCheck, CheckStatus.Warn, $"Your server greets with '{firstLine}': code {greeting.Code.ToString(CultureInfo.InvariantCulture)}, not 220, so it refuses mail on this port.",
                "If the server should receive mail, check its access rules; otherwise nothing to do.", data);
        }

        var rdns = await run.ReverseDns;
        var ptr = rdns.Name ?? (rdns.PtrNames.Count > 0 ? rdns.PtrNames[0] : null);
        if (greeting.Host is null)
        {
            return new(BannerCheck, CheckStatus.Warn, $"Your server greets with '{firstLine}', which names no host after the 220.",
                $"Make the greeting start with the server's name, e.g. '220 {ptr ?? "mail.example.com"} ESMTP' (Postfix: smtpd_banner = $myhostname ESMTP).", data);
        }

        if (rdns.PtrNames.Any(p => p.TrimEnd('.').Equals(greeting.Host, StringComparison.OrdinalIgnoreCase)))
        {
            return new(BannerCheck, CheckStatus.Pass, $"Your server greets as {greeting.Host}, its rDNS name ('{firstLine}').", null, data);
        }

        return new(BannerCheck, CheckStatus.Warn,
            ptr is null
                ? $"Your server greets as {greeting.Host}, but {ip} has no rDNS name to match it ('{firstLine}')."
                : $"Your server greets as {greeting.Host}, but the rDNS name of {ip} is {ptr} ('{firstLine}').",
            $"Use one name for the greeting, the HELO name and the PTR record (Postfix: myhostname; Exim: primary_hostname; Exchange: the receive connector's FQDN).", data);
    }

    private async Task<DiagnosticCheck> CheckSpfAsync(Run run)
    {
        var helo = run.Helo;
        if (helo is null)
        {
            helo = (await run.Banner).Greeting?.Host;
        }

        if (helo is not null && HeloRule.Classify(helo) != HeloForm.HostName)
        {
            helo = null;
        }

        if (run.Domain is null && helo is null)
        {
            return new(SpfCheck, CheckStatus.Warn, "Not checked: give the sender address (or its domain) to check its SPF record, and the HELO name to check that one's.",
                "Enter the address your mail comes from, e.g. bounce@example.com.", new SkippedData(true, "no-sender"));
        }

        var mailFromTask = run.Domain is null ? Task.FromResult<SpfReport?>(null) : MailFromSpfAsync(run);
        var heloTask = helo is null ? Task.FromResult<SpfReport?>(null) : HeloSpfAsync(run.Ip, helo, run.Token);
        var mailFrom = await mailFromTask;
        var heloReport = await heloTask;

        var parts = new List<(CheckStatus Status, string Detail, string? Advice)>();
        if (mailFrom is not null)
        {
            parts.Add(JudgeSpf(mailFrom, run.Ip, "sender domain"));
        }

        if (heloReport is not null)
        {
            parts.Add(JudgeSpf(heloReport, run.Ip, "HELO name"));
        }

        var status = parts.MaxBy(p => Severity(p.Status)).Status;
        var detail = string.Join(" ", parts.Select(p => p.Detail));
        if (mailFrom is null)
        {
            detail += " The sender domain was not checked: give the sender address to check it.";
        }

        var advice = parts.Where(p => p.Advice is not null).Select(p => p.Advice!).Distinct().ToList();
        return new(SpfCheck, status, detail, advice.Count == 0 ? null : string.Join(" ", advice), new SpfData(mailFrom, heloReport));
    }

    private async Task<SpfReport?> MailFromSpfAsync(Run run)
    {
        var outcome = await spf.CheckAsync(run.Ip, run.Sender, run.Helo, run.Token);
        return outcome.Value;
    }

    private async Task<SpfReport?> HeloSpfAsync(IPAddress ip, string helo, CancellationToken cancellationToken) =>
        await spf.CheckHeloAsync(ip, helo.TrimEnd('.'), cancellationToken);

    // What one SPF verdict means for a sender, in words (RFC 7208 section 8).
    private static (CheckStatus Status, string Detail, string? Advice) JudgeSpf(SpfReport report, IPAddress ip, string what)
    {
        var domain = report.Domain;
        var term = ip.IsIPv4() ? $"ip4:{ip}" : $"ip6:{ip}";
        var add = $"Add {term} to the SPF record of {domain} (before its final 'all'), or send through a server the record already lists.";
        var by = report.Mechanism is null ? "" : $" ({report.Mechanism})";
        return report.Result switch
        {
            SpfResult.Pass => (CheckStatus.Pass, $"SPF of the {what} {domain} allows {ip}{by}.", null),
            SpfResult.Fail => (CheckStatus.Fail, $"SPF of the {what} {domain} does not allow {ip}{by}; receivers that check SPF refuse this mail.", add),
            SpfResult.SoftFail => (CheckStatus.Warn, $"SPF of the {what} {domain} says {ip} is probably not allowed{by}; many receivers junk such mail.", add),
            SpfResult.Neutral => (CheckStatus.Warn, $"SPF of the {what} {domain} says nothing about {ip}{by}.", add),
            SpfResult.None => (CheckStatus.Warn, $"The {what} {domain} publishes no SPF record. Large receivers require SPF or DKIM.",
                what == "HELO name"
                    ? $"Publish a TXT record at {domain}: \"v=spf1 a -all\" (the HELO name's own address sends for it)."
                    : $"Publish a TXT record at {domain} listing every server that sends its mail, e.g. \"v=spf1 {term} -all\"."),
            SpfResult.PermError => (CheckStatus.Fail, $"The SPF record of the {what} {domain} is broken: {report.Error}", $"Fix the SPF record of {domain}: receivers treat a broken record like a fail."),
            _ => (CheckStatus.Error, $"The SPF check of the {what} {domain} failed for now: {report.Error}", "Try again in a few minutes; if this persists, check that the DNS servers of the domain answer."),
        };
    }

    private static async Task<DiagnosticCheck> CheckTtlAsync(Run run, DiagnosticsOptions settings)
    {
        var ip = run.Ip;
        var lookups = run.Lookups;
        var token = run.Token;
        var reverseName = DnsNames.ReverseName(ip);

        var wanted = new List<Task<DnsLookup?>> { Query(reverseName, QueryType.PTR), lookups.ZoneNameServersAsync(reverseName, token) };
        if (run.Domain is { } domain)
        {
            wanted.Add(Query(domain, QueryType.MX));
            wanted.Add(Query(domain, QueryType.A));
            wanted.Add(Query(domain, QueryType.AAAA));
            wanted.Add(lookups.ZoneNameServersAsync(domain, token));
        }

        // The forward record of the address's name counts as the address's A (or AAAA) record.
        var rdns = await run.ReverseDns;
        if (rdns.Name is { } confirmed)
        {
            wanted.Add(Query(confirmed, ip.IsIPv4() ? QueryType.A : QueryType.AAAA));
        }

        var answers = await Task.WhenAll(wanted);
        var records = new List<RecordTtl>();
        var failures = new List<string>();
        foreach (var answer in answers.OfType<DnsLookup>().DistinctBy(a => (a.Name, a.Type)))
        {
            if (answer.Ttl is { } ttl)
            {
                records.Add(new RecordTtl(answer.Name, answer.Type.ToString(), ttl));
            }
            else if (answer.IsFailure)
            {
                failures.Add(answer.Error!);
            }
        }

        return TtlRule.Evaluate(records, failures, (int)settings.MinimumTtl.TotalSeconds, run.Domain is not null);

        async Task<DnsLookup?> Query(string name, QueryType type) => await lookups.QueryAsync(name, type, token);
    }

    private static async Task<DiagnosticCheck> CheckMxAsync(Run run)
    {
        if (run.Mx is null)
        {
            return new(MxCheck, CheckStatus.Warn, "Not checked: give the sender address (or its domain) to check its MX records.",
                "Enter the address your mail comes from, e.g. bounce@example.com.", new SkippedData(true, "no-sender"));
        }

        var mx = await run.Mx;
        var domain = mx.Domain;
        var data = new MxData(domain, mx.Hosts, mx.Implicit);
        if (mx.Error is not null)
        {
            return new(MxCheck, CheckStatus.Error, $"The MX records of {domain} could not be looked up: {mx.Error}", "Try again in a few minutes; if this persists, check that the DNS servers of the domain answer.", data);
        }

        const string Bounces = "Receivers check that a sender's domain can receive mail, so that bounces and replies reach you.";
        if (mx.NullMx)
        {
            return new(MxCheck, CheckStatus.Fail, $"{domain} publishes a null MX (RFC 7505): it says it receives no mail at all. {Bounces}",
                $"Remove the null MX of {domain} and publish MX records for a server that receives its mail.", data);
        }

        if (mx.NoSuchDomain)
        {
            return new(MxCheck, CheckStatus.Fail, $"{domain} does not exist in DNS. {Bounces}", $"Send from an address of a domain that exists, or register {domain} and publish MX records for it.", data);
        }

        if (mx.Implicit)
        {
            return mx.Hosts.Count > 0
                ? new(MxCheck, CheckStatus.Warn, $"{domain} has no MX record; mail for it goes to the domain's own address ({string.Join(", ", mx.Hosts[0].Addresses)}), as RFC 5321 allows. Some receivers want an explicit MX.",
                    $"Publish an MX record for {domain} naming the server that receives its mail, e.g. \"{domain}. MX 10 mail.{domain}.\"", data)
                : new(MxCheck, CheckStatus.Fail, $"{domain} has no MX record and no address, so it cannot receive mail. {Bounces}",
                    $"Publish an MX record for {domain} naming a server that receives its mail, and an A record for that server.", data);
        }

        var resolving = mx.Hosts.Where(h => h.Addresses.Count > 0).ToList();
        var broken = mx.Hosts.Where(h => h.Addresses.Count == 0).Select(h => h.Host).ToList();
        var list = string.Join(", ", mx.Hosts.Select(h => $"{h.Host} ({(h.Addresses.Count == 0 ? "no address" : string.Join(", ", h.Addresses))})"));
        if (broken.Count == 0)
        {
            return new(MxCheck, CheckStatus.Pass, $"{domain} has {mx.Hosts.Count.ToString(CultureInfo.InvariantCulture)} MX host{(mx.Hosts.Count == 1 ? "" : "s")}, each with an address: {list}.", null, data);
        }

        if (mx.Failures.Count > 0 && resolving.Count == 0)
        {
            return new(MxCheck, CheckStatus.Error, $"The MX hosts of {domain} could not all be looked up: {string.Join(" ", mx.Failures)}", "Try again in a few minutes.", data);
        }

        var fix = $"Give {string.Join(", ", broken)} an A (or AAAA) record, or remove {(broken.Count == 1 ? "it" : "them")} from the MX records of {domain}.";
        return resolving.Count > 0
            ? new(MxCheck, CheckStatus.Warn, $"Some MX hosts of {domain} have no address: {list}.", fix, data)
            : new(MxCheck, CheckStatus.Fail, $"None of the MX hosts of {domain} has an address, so it cannot receive mail: {list}. {Bounces}", fix, data);
    }

    private static async Task<DiagnosticCheck> CheckSameIpAsync(Run run)
    {
        if (run.Mx is null)
        {
            return new(SameIpCheck, CheckStatus.Warn, "Not checked: give the sender address (or its domain) to compare this address with its MX hosts.",
                "Enter the address your mail comes from, e.g. bounce@example.com.", new SkippedData(true, "no-sender"));
        }

        var mx = await run.Mx;
        var ip = run.Ip;
        if (mx.Error is not null)
        {
            return new(SameIpCheck, CheckStatus.Error, $"The MX records of {mx.Domain} could not be looked up: {mx.Error}", "Try again in a few minutes.", null);
        }

        var host = mx.Hosts.FirstOrDefault(h => h.Addresses.Contains(ip.ToString()));
        if (host is not null)
        {
            return new(SameIpCheck, CheckStatus.Pass, $"{ip} also receives mail for {mx.Domain} ({(mx.Implicit ? "the domain's own address" : "MX host " + host.Host)}): it sends and receives from the same address.",
                null, new SameIpData(mx.Domain, true, host.Host));
        }

        return new(SameIpCheck, CheckStatus.Warn,
            mx.Hosts.Count == 0
                ? $"{mx.Domain} has no MX host with an address, so {ip} cannot be one of them."
                : $"{ip} is not among the MX addresses of {mx.Domain} ({string.Join(", ", mx.Hosts.SelectMany(h => h.Addresses).Distinct())}): mail leaves from a different address than it arrives at.",
            "Nothing to fix if you send through a separate outbound server or provider; its address then needs its own rDNS and a place in your SPF record. Some receivers trust a sender more when it also receives the domain's mail, so a single server can be listed as an MX too.",
            new SameIpData(mx.Domain, false, null));
    }

    private async Task<DiagnosticCheck> CheckListingsAsync(Run run)
    {
        var report = await reputation.CheckAsync(run.Ip, run.Token);
        var ip = run.Ip;
        var listed = report.Listings.Where(l => l.Listed && l.Kind == ZoneKind.Block).ToList();
        var unanswered = report.Listings.Count(l => l.Status != ZoneStatus.Ok);
        var data = new ListingsData(report.Verdict, listed.Select(l => new ZoneListed(l.Zone, l.Meanings, l.Reasons, l.DelistUrl)).ToList(),
            report.LocalListing?.List, report.Listings.Count, unanswered);
        var asked = report.Listings.Count == 1 ? "the 1 list we use" : $"the {report.Listings.Count.ToString(CultureInfo.InvariantCulture)} lists we use";
        var silent = unanswered == 0 ? "" : $" ({unanswered.ToString(CultureInfo.InvariantCulture)} did not answer just now)";
        switch (report.Verdict)
        {
            case Verdict.Listed:
                var which = listed.Select(l => l.Meanings.Count > 0 ? $"{l.Zone} ({string.Join("; ", l.Meanings)})" : l.Zone).ToList();
                if (report.LocalListing?.List == HostedListKind.Block)
                {
                    which.Insert(0, "our own blocklist");
                }

                return new(ListingsCheck, CheckStatus.Fail, $"{ip} is listed by {string.Join(", ", which)}, so we refuse its mail.",
                    "Find and fix why it was listed first (an open relay, a hacked account or web form, an infected computer behind this address), then ask each list for removal at its page. Removal without a fix only gets the address listed again.",
                    data);
            case Verdict.Whitelisted:
                return new(ListingsCheck, CheckStatus.Pass, $"{ip} is on an allow list{(report.LocalListing?.List == HostedListKind.Allow ? " (ours)" : "")}: its mail is not refused for blocklist listings.", null, data);
            case Verdict.Unknown:
                return new(ListingsCheck, CheckStatus.Error, $"None of {asked} answered, so we cannot tell whether {ip} is listed.", "Try again in a few minutes.", data);
            default:
                return new(ListingsCheck, CheckStatus.Pass,
                    report.Listings.Count == 0 ? $"{ip} is not on our blocklist." : $"{ip} is not listed by any of {asked}{silent}.", null, data);
        }
    }

    private static int Severity(CheckStatus status) => status switch
    {
        CheckStatus.Pass => 0,
        CheckStatus.Warn => 1,
        CheckStatus.Error => 2,
        _ => 3,
    };
}
