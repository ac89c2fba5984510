using System.Globalization;

namespace BlocklistApi.Diagnostics;

/// <summary>
/// The ttl check's decision. Large receivers ask for TTLs of 12 hours or more on a sender's A, MX, NS and PTR
/// records: records that change every few minutes are typical of fast-flux spam networks.
/// </summary>
public static class TtlRule
{
    /// <summary>The record sets whose TTL is below <paramref name="minimum"/> seconds.</summary>
    public static IReadOnlyList<RecordTtl> Low(IEnumerable<RecordTtl> records, int minimum) => records.Where(r => r.Ttl < minimum).ToList();

    /// <summary>Decides from the record sets found and the lookups that failed.</summary>
    public static DiagnosticCheck Evaluate(IReadOnlyList<RecordTtl> records, IReadOnlyList<string> failures, int minimum, bool senderGiven)
    {
        var data = new TtlData(minimum, records);
        var low = Low(records, minimum);
        var notChecked = senderGiven ? "" : " Give the sender address to check its domain's records too.";
        var failed = failures.Count == 0 ? "" : " Some lookups failed: " + string.Join(" ", failures);
        if (low.Count > 0)
        {
            return Check(CheckStatus.Warn,
                $"{low.Count.ToString(CultureInfo.InvariantCulture)} of the {Count(records.Count, "DNS record")} we looked at {(low.Count == 1 ? "has a TTL" : "have TTLs")} below {Duration(minimum)}: {string.Join(", ", low.Select(Describe))}.{failed}",
                $"At your DNS host, raise the TTL of {(low.Count == 1 ? "this record" : "these records")} to at least {minimum.ToString(CultureInfo.InvariantCulture)} s ({Duration(minimum)}); lower it for a few hours only before you plan to change the record. A PTR record's TTL is set by whoever controls the reverse zone, usually the provider of the address.",
                data);
        }

        if (failures.Count > 0)
        {
            return Check(CheckStatus.Error, $"We could not read every TTL.{failed}", "Try again in a few minutes; if this persists, check that your DNS servers answer.", data);
        }

        if (records.Count == 0)
        {
            return Check(CheckStatus.Warn, "Not checked: the address has no PTR record and no sender address was given, so there are no records to look at.",
                "Give the sender address, and set a PTR record for the address (see the rdns check).", new SkippedData(true, "no-records"));
        }

        var all = records.Count == 1 ? "The one DNS record we looked at has a TTL" : $"All {Count(records.Count, "DNS record")} we looked at have TTLs";
        return Check(CheckStatus.Pass, $"{all} of at least {Duration(minimum)}: {string.Join(", ", records.Select(Describe))}.{notChecked}", null, data);
    }

    /// <summary>Seconds in the largest whole unit: "12 h", "5 min", "90 s".</summary>
    public static string Duration(int seconds) =>
        seconds >= 3600 && seconds % 3600 == 0 ? $"{(seconds / 3600).ToString(CultureInfo.InvariantCulture)} h"
        : seconds >= 60 && seconds % 60 == 0 ? $"{(seconds / 60).ToString(CultureInfo.InvariantCulture)} min"
        : $"{seconds.ToString(CultureInfo.InvariantCulture)} s";

    private static string Describe(RecordTtl record) => $"{record.Name} {record.Type} {record.Ttl.ToString(CultureInfo.InvariantCulture)} s";

    private static string Count(int count, string noun) => $"{count.ToString(CultureInfo.InvariantCulture)} {noun}{(count == 1 ? "" : "s")}";

    private static DiagnosticCheck Check(CheckStatus status, string detail, string? advice, object data) =>
        new(DiagnosticsService.TtlCheck, status, detail, advice, data);
}
