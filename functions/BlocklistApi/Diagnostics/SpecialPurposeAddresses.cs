using System.Net;
using BlocklistApi.Net;

namespace BlocklistApi.Diagnostics;

/// <summary>
/// The SSRF guard of checks that connect to an address a stranger gave us: only globally reachable unicast
/// addresses may be connected to. The ranges come from the IANA IPv4 and IPv6 Special-Purpose Address Registries
/// (RFC 6890 and updates); for IPv6 everything outside 2000::/3 (global unicast, RFC 4291 section 2.4) is refused first.
/// </summary>
public static class SpecialPurposeAddresses
{
    private static readonly (IpNetwork Network, string Name)[] s_ranges =
    [
        (IpNetwork.FromText("0.0.0.0/8"), "a \"this network\" address"),
        (IpNetwork.FromText("10.0.0.0/8"), "a private address (RFC 1918)"),
        (IpNetwork.FromText("100.64.0.0/10"), "a carrier-grade NAT address (RFC 6598)"),
        (IpNetwork.FromText("127.0.0.0/8"), "a loopback address"),
        (IpNetwork.FromText("169.254.0.0/16"), "a link-local address"),
        (IpNetwork.FromText("172.16.0.0/12"), "a private address (RFC 1918)"),
        (IpNetwork.FromText("192.0.0.0/24"), "an IETF protocol assignment"),
        (IpNetwork.FromText("192.0.2.0/24"), "a documentation address (TEST-NET-1)"),
        (IpNetwork.FromText("192.88.99.0/24"), "a deprecated 6to4 relay address"),
        (IpNetwork.FromText("192.168.0.0/16"), "a private address (RFC 1918)"),
        (IpNetwork.FromText("198.18.0.0/15"), "a benchmarking address"),
        (IpNetwork.FromText("198.51.100.0/24"), "a documentation address (TEST-NET-2)"),
        (IpNetwork.FromText("203.0.113.0/24"), "a documentation address (TEST-NET-3)"),
        (IpNetwork.FromText("224.0.0.0/4"), "a multicast address"),
        (IpNetwork.FromText("240.0.0.0/4"), "a reserved address"),
        (IpNetwork.FromText("2001::/23"), "an IETF protocol assignment (Teredo, benchmarking, ORCHID...)"),
        (IpNetwork.FromText("2001:db8::/32"), "a documentation address"),
        (IpNetwork.FromText("2002::/16"), "a 6to4 address"),
        (IpNetwork.FromText("3fff::/20"), "a documentation address"),
    ];

    private static readonly IpNetwork s_globalUnicast = IpNetwork.FromText("2000::/3");

    /// <summary>What kind of special address this is ("a private address (RFC 1918)"), or null for a public one.</summary>
    public static string? Describe(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (!address.IsIPv4())
        {
            if (address.Equals(IPAddress.IPv6Loopback))
            {
                return "a loopback address";
            }

            if (!s_globalUnicast.Contains(address))
            {
                return address.IsIPv6LinkLocal ? "a link-local address"
                    : address.IsIPv6Multicast ? "a multicast address"
                    : address.IsIPv6UniqueLocal ? "a private (unique local) address"
                    : "not a global unicast IPv6 address";
            }
        }

        foreach (var (network, name) in s_ranges)
        {
            if (network.Contains(address))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>Whether we may connect to <paramref name="address"/>: it is public, or in one of <paramref name="allowed"/>.</summary>
    public static bool MayConnect(IPAddress address, IReadOnlyList<IpNetwork> allowed, out string? refusal)
    {
        var normalized = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        refusal = Describe(normalized);
        if (refusal is not null && allowed.Any(n => n.Contains(normalized)))
        {
            refusal = null;
        }

        return refusal is null;
    }
}
