using System.Net;
using System.Text.Json.Serialization;
using BlocklistApi.Net;
using DnsClient;

namespace BlocklistApi.Dns;

/// <summary>The outcome of a forward-confirmed reverse DNS lookup.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReverseDnsStatus>))]
public enum ReverseDnsStatus
{
    /// <summary>A PTR name resolves back to the address: <see cref="ReverseDnsResult.Name"/> is that name.</summary>
    [JsonStringEnumMemberName("confirmed")] Confirmed,
    /// <summary>PTR names exist, but none of them resolves back to the address.</summary>
    [JsonStringEnumMemberName("not-confirmed")] NotConfirmed,
    /// <summary>No PTR record (NXDOMAIN or an empty answer).</summary>
    [JsonStringEnumMemberName("no-name")] NoName,
    /// <summary>DNS did not answer usefully (timeout, SERVFAIL): we cannot tell.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>What reverse DNS says about an address.</summary>
/// <param name="Status">confirmed, not-confirmed, no-name or failed.</param>
/// <param name="Name">The first PTR name (in answer order) whose A/AAAA records include the address; null unless confirmed.</param>
/// <param name="PtrNames">Every PTR name returned (at most <see cref="ReverseDnsService.MaxNames"/> are checked).</param>
/// <param name="Error">For status failed, what went wrong.</param>
public sealed record ReverseDnsResult(ReverseDnsStatus Status, string? Name, IReadOnlyList<string> PtrNames, string? Error)
{
    public bool IsForwardConfirmed => Status == ReverseDnsStatus.Confirmed;

    public static ReverseDnsResult Failed(string error) => new(ReverseDnsStatus.Failed, null, [], error);
}

/// <summary>
/// Forward-confirmed reverse DNS (FCrDNS, "iprev" in RFC 8601 section 3): the PTR names of an address, each looked up
/// forward (A for IPv4, AAAA for IPv6). Greylisting's whitelists and suspicious mode and the diagnostics use
/// <see cref="LookupAsync"/>; SPF's ptr mechanism and %{p} macro (RFC 7208 section 5.5) use <see cref="ConfirmAsync"/>
/// on the names they choose. Never throws for DNS trouble.
/// </summary>
public sealed class ReverseDnsService(DnsLookupService dns)
{
    /// <summary>At most this many PTR names are checked, as RFC 7208 section 4.6.4 limits the SPF "ptr" mechanism.</summary>
    public const int MaxNames = 10;

    public async Task<ReverseDnsResult> LookupAsync(IPAddress address, CancellationToken cancellationToken)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var reverse = await dns.LookupReverseAsync(address, cancellationToken);
        if (reverse.IsFailure)
        {
            return ReverseDnsResult.Failed(reverse.Error!);
        }

        var names = reverse.PtrNames;
        if (names.Count == 0)
        {
            return new ReverseDnsResult(ReverseDnsStatus.NoName, null, [], null);
        }

        var checkedNames = names.Take(MaxNames).ToList();
        var results = await ConfirmAsync(address, checkedNames, stopAtFirst: false, cancellationToken);
        var confirmed = results.FirstOrDefault(r => r.Confirmed == true);
        if (confirmed is not null)
        {
            return new ReverseDnsResult(ReverseDnsStatus.Confirmed, confirmed.Name, names, null);
        }

        // If no name confirmed but a lookup failed, the failed one might have: we cannot tell.
        return results.FirstOrDefault(r => r.Confirmed is null) is { } failed
            ? new ReverseDnsResult(ReverseDnsStatus.Failed, null, names, failed.Error)
            : new ReverseDnsResult(ReverseDnsStatus.NotConfirmed, null, names, null);
    }

    /// <summary>
    /// Looks each of <paramref name="names"/> up forward (A for an IPv4 address, AAAA for IPv6): confirmed when the
    /// answer includes the address, not when it does not, unknown (null) when the lookup failed. All at once, or one
    /// after another up to the first confirmed name when <paramref name="stopAtFirst"/> (SPF's ptr mechanism).
    /// </summary>
    public async Task<IReadOnlyList<ForwardConfirmation>> ConfirmAsync(IPAddress address, IReadOnlyList<string> names, bool stopAtFirst, CancellationToken cancellationToken)
    {
        var type = address.IsIPv4() ? QueryType.A : QueryType.AAAA;
        if (!stopAtFirst)
        {
            var lookups = await Task.WhenAll(names.Select(name => dns.LookupAsync(name, type, cancellationToken)));
            return lookups.Select((lookup, i) => Confirmation(names[i], lookup, address)).ToList();
        }

        var confirmations = new List<ForwardConfirmation>();
        foreach (var name in names)
        {
            var confirmation = Confirmation(name, await dns.LookupAsync(name, type, cancellationToken), address);
            confirmations.Add(confirmation);
            if (confirmation.Confirmed == true)
            {
                break;
            }
        }

        return confirmations;
    }

    private static ForwardConfirmation Confirmation(string name, DnsLookup lookup, IPAddress address) =>
        lookup.IsFailure
            ? new ForwardConfirmation(name, null, lookup.Error)
            : new ForwardConfirmation(name, lookup.Addresses.Any(a => a.Equals(address)), null);
}

/// <summary>Whether one PTR name resolves back to the address: true, false, or null when its lookup failed (<see cref="Error"/>).</summary>
public sealed record ForwardConfirmation(string Name, bool? Confirmed, string? Error);
