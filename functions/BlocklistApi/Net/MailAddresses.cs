namespace BlocklistApi.Net;

/// <summary>Envelope address helpers shared by SPF, greylisting and diagnostics.</summary>
public static class MailAddresses
{
    /// <summary>
    /// Splits an address at its last '@' (a quoted local part may hold an '@', a domain never does, RFC 5321 section
    /// 4.1.2): ("user", "example.com"). Without an '@' the local part is null and the whole text is the domain.
    /// </summary>
    public static (string? LocalPart, string Domain) Split(string address)
    {
        var at = address.LastIndexOf('@');
        return at < 0 ? (null, address) : (address[..at], address[(at + 1)..]);
    }
}
