using System.Globalization;
using BlocklistApi.Dns;
using BlocklistApi.Reputation;

namespace BlocklistApi.Zones;

/// <summary>
/// The rules of zone health, pure so that they are unit-tested without DNS or storage: what a probe of the RFC 5782
/// test points says, and how a result moves a zone between enabled, degraded and disabled.
/// </summary>
public static class ZoneHealthRules
{
    /// <summary>
    /// Judges one probe. RFC 5782 section 5: a DNSxL lists 127.0.0.2 and never 127.0.0.1 (and, when it serves IPv6,
    /// ::FFFF:7F00:2 but not ::FFFF:7F00:1). A zone that lists 127.0.0.1 lists everything: retired lists have been
    /// turned into such wildcards, which would block all mail. Error codes (127.255.255.0/24, dnswl's 127.0.0.255),
    /// answers outside 127/8, SERVFAIL and silence are bad too. A zone that does not list ::FFFF:7F00:2 is taken to
    /// serve IPv4 only; it must still not list ::FFFF:7F00:1 nor fail to answer.
    /// </summary>
    public static ZoneProbe Judge(DnsblZone zone, ProbeAnswers answers, DateTimeOffset at, TimeSpan latency)
    {
        var problems = new List<string>();
        var codes = new List<string>();
        var listed = DnsblAnswers.Map(zone, answers.ListedV4);
        var unlisted = DnsblAnswers.Map(zone, answers.UnlistedV4);
        var listedV6 = DnsblAnswers.Map(zone, answers.ListedV6);
        var unlistedV6 = DnsblAnswers.Map(zone, answers.UnlistedV6);

        ExpectListed(listed, "127.0.0.2", problems, codes, required: true);
        ExpectNotListed(unlisted, "127.0.0.1", problems);
        var servesV6 = ExpectListed(listedV6, "::FFFF:7F00:2", problems, codes, required: false);
        ExpectNotListed(unlistedV6, "::FFFF:7F00:1", problems);

        var passed = problems.Count == 0;
        var detail = passed
            ? $"127.0.0.2 listed ({string.Join(", ", listed.Codes)}), 127.0.0.1 not listed"
                + (servesV6 ? $"; ::FFFF:7F00:2 listed ({string.Join(", ", listedV6.Codes)}), ::FFFF:7F00:1 not listed" : "; ::FFFF:7F00:2 not listed (an IPv4 zone)")
            : string.Join(" ", problems);
        return new ZoneProbe(at, passed, detail, Math.Round(latency.TotalMilliseconds, 3), codes);
    }

    /// <summary>
    /// The zone's health after <paramref name="check"/>: a bad result makes an enabled zone degraded and, as the
    /// ZoneHealth:FailuresToDisable-th in a row, disabled; ZoneHealth:PassesToEnable good probes in a row enable it
    /// again. A good result resets the bad count and a bad one the good count; only probes are good results (a zone
    /// that lists everything gives real queries answers that look fine).
    /// </summary>
    public static ZoneHealthRecord Apply(ZoneHealthRecord current, ZoneCheck check, ZoneHealthOptions options, DateTimeOffset now)
    {
        var probe = check.Probe ?? current.LastProbe;
        if (check.Passed)
        {
            var passes = current.Passes + 1;
            var enable = current.State != ZoneState.Enabled && passes >= options.PassesToEnable;
            return current with
            {
                State = enable ? ZoneState.Enabled : current.State,
                Reason = enable ? Invariant($"{passes} good probes in a row: {check.Detail}") : current.Reason,
                Since = enable ? now : current.Since,
                Failures = 0,
                Passes = passes,
                LastProbe = probe,
                UpdatedAt = now,
            };
        }

        var failures = current.Failures + 1;
        var state = failures >= options.FailuresToDisable ? ZoneState.Disabled
            : current.State == ZoneState.Enabled ? ZoneState.Degraded
            : current.State;
        var changed = state != current.State;
        return current with
        {
            State = state,
            Reason = !changed ? current.Reason
                : state == ZoneState.Disabled ? Invariant($"{failures} bad results in a row, the last: {check.Detail}")
                : check.Detail,
            Since = changed ? now : current.Since,
            Failures = failures,
            Passes = 0,
            LastFailureAt = now,
            LastProbe = probe,
            UpdatedAt = now,
        };
    }

    // True when the point is listed; a missing listing is a problem only when required.
    private static bool ExpectListed(ZoneLookup lookup, string point, List<string> problems, List<string> codes, bool required)
    {
        if (lookup.Status != ZoneStatus.Ok)
        {
            problems.Add($"{point}: {lookup.Error}");
            return false;
        }

        if (!lookup.Listed)
        {
            if (required)
            {
                problems.Add($"It does not list the test point {point} (RFC 5782 section 5): it is not answering as a blocklist.");
            }

            return false;
        }

        codes.AddRange(lookup.Codes);
        return true;
    }

    private static void ExpectNotListed(ZoneLookup lookup, string point, List<string> problems)
    {
        if (lookup.Status != ZoneStatus.Ok)
        {
            problems.Add($"{point}: {lookup.Error}");
        }
        else if (lookup.Listed)
        {
            problems.Add($"It lists {point} ({string.Join(", ", lookup.Codes)}), which no zone may list (RFC 5782 section 5): it answers \"listed\" for every address, as retired and wildcard zones do.");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The zone's answers for the four RFC 5782 test points.</summary>
public sealed record ProbeAnswers(DnsLookup ListedV4, DnsLookup UnlistedV4, DnsLookup ListedV6, DnsLookup UnlistedV6);
