using System.Globalization;
using System.Net;
using BlocklistApi.Net;

namespace BlocklistApi.Diagnostics;

/// <summary>
/// Recognizes the generic PTR names providers give addresses they hand out to customers in bulk
/// ("192-0-2-1.dyn.example.net", "dsl-pool-7.example.net"). Many receivers treat such names as home connections
/// and refuse or junk their mail, whatever else is right.
/// </summary>
public static class GenericReverseDns
{
    private static readonly HashSet<string> s_words = new(StringComparer.OrdinalIgnoreCase)
    {
        "dyn", "dynamic", "dhcp", "dsl", "adsl", "vdsl", "xdsl", "cable", "dial", "dialup", "ppp", "pppoe", "pool",
        "broadband", "cust", "customer", "client", "clients", "residential", "subscriber", "unassigned", "generic",
    };

    private static readonly char[] s_separators = ['.', '-', '_'];

    /// <summary>Why <paramref name="name"/> looks generic, or null when it looks like a name someone chose.</summary>
    public static string? Reason(string name, IPAddress address)
    {
        var lower = name.TrimEnd('.').ToLowerInvariant();
        if (address.IsIPv4() && ContainsAddress(lower, address.GetAddressBytes()))
        {
            return "it contains the address itself";
        }

        // Words in the registered domain ("cable.example") say nothing about the host; look left of the last two labels.
        var labels = lower.Split('.');
        var hostPart = labels.Take(Math.Max(0, labels.Length - 2));
        var word = hostPart.SelectMany(l => l.Split(s_separators, StringSplitOptions.RemoveEmptyEntries))
            .Select(t => t.TrimEnd("0123456789".ToCharArray()))
            .FirstOrDefault(s_words.Contains);
        return word is null ? null : $"it contains the word '{word}', used for customer and dynamic addresses";
    }

    // The four octets in either order, each optionally zero-padded to three digits, separated by '.', '-' or '_' or
    // not at all when padded ("192-0-2-1", "1.2.0.192", "192000002001").
    private static bool ContainsAddress(string name, byte[] octets)
    {
        foreach (var order in new[] { octets, octets.Reverse().ToArray() })
        {
            var plain = order.Select(o => o.ToString(CultureInfo.InvariantCulture)).ToArray();
            var padded = order.Select(o => o.ToString("000", CultureInfo.InvariantCulture)).ToArray();
            if (padded.Length == 4 && name.Contains(string.Concat(padded), StringComparison.Ordinal))
            {
                return true;
            }

            foreach (var separator in s_separators)
            {
                foreach (var parts in new[] { plain, padded })
                {
                    var joined = string.Join(separator, parts);
                    var at = name.IndexOf(joined, StringComparison.Ordinal);
                    // Whole numbers only: "11-0-2-1" must not match 1.0.2.1.
                    if (at >= 0 && (at == 0 || !char.IsAsciiDigit(name[at - 1])) && (at + joined.Length == name.Length || !char.IsAsciiDigit(name[at + joined.Length])))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }
}
