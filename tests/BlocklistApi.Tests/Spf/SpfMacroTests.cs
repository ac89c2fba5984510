using System.Net;
using BlocklistApi.Spf;

namespace BlocklistApi.Tests.Spf;

public sealed class SpfMacroTests
{
    // RFC 7208 section 7.4: sender strong-bad@email.example.com, client 192.0.2.3 or 2001:db8::cb01.
    private static readonly SpfMacroContext s_ipv4 = Context(Ip("192.0.2.3"));

    [Theory]
    [InlineData("%{s}", "strong-bad@email.example.com")]
    [InlineData("%{o}", "email.example.com")]
    [InlineData("%{d}", "email.example.com")]
    [InlineData("%{d4}", "email.example.com")]
    [InlineData("%{d3}", "email.example.com")]
    [InlineData("%{d2}", "example.com")]
    [InlineData("%{d1}", "com")]
    [InlineData("%{dr}", "com.example.email")]
    [InlineData("%{d2r}", "example.email")]
    [InlineData("%{l}", "strong-bad")]
    [InlineData("%{l-}", "strong.bad")]
    [InlineData("%{lr}", "strong-bad")]
    [InlineData("%{lr-}", "bad.strong")]
    [InlineData("%{l1r-}", "strong")]
    [InlineData("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com")]
    [InlineData("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com")]
    [InlineData("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com")]
    [InlineData("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com")]
    [InlineData("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net")]
    public void MacroExpand_Rfc7208Examples_MatchTheRfc(string macro, string expected)
    {
        Assert.True(SpfMacroString.TryParse(macro, SpfMacroSyntax.DomainSpec, out var parsed, out var error), error);

        Assert.Equal(expected, parsed.Expand(s_ipv4));
    }

    [Fact]
    public void MacroExpand_Ipv6_ExpandsToReversedNibbles()
    {
        Assert.True(SpfMacroString.TryParse("%{ir}.%{v}._spf.%{d2}", SpfMacroSyntax.DomainSpec, out var parsed, out _));

        var expanded = parsed.Expand(Context(Ip("2001:db8::cb01")));

        Assert.Equal("1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6._spf.example.com", expanded);
    }

    [Fact]
    public void MacroExpand_ExplanationLetters_GiveClientReceiverAndTime()
    {
        Assert.True(SpfMacroString.TryParse("%{c} to %{r} at %{t}, via %{p}", SpfMacroSyntax.Explanation, out var parsed, out var error), error);

        var expanded = parsed.Expand(Context(Ip("2001:db8::cb01")) with { ValidatedName = "mx.example.com" });

        Assert.Equal("2001:db8::cb01 to mx.example.net at 1700000000, via mx.example.com", expanded);
    }

    [Fact]
    public void MacroExpand_UpperCaseLetter_UrlEscapesAllButUnreserved()
    {
        Assert.True(SpfMacroString.TryParse("why?l=%{L}", SpfMacroSyntax.Explanation, out var parsed, out _));

        var expanded = parsed.Expand(s_ipv4 with { LocalPart = "~jack&jill=up-a_b3.c" });

        Assert.Equal("why?l=~jack%26jill%3Dup-a_b3.c", expanded);
    }

    [Fact]
    public void MacroExpand_EscapesAndUnknownName_ExpandLiterally()
    {
        Assert.True(SpfMacroString.TryParse("a%%b%_c%-d.%{p}.example.com", SpfMacroSyntax.DomainSpec, out var parsed, out _));

        Assert.Equal("a%b c%20d.unknown.example.com", parsed.Expand(s_ipv4));
        Assert.True(parsed.UsesValidatedName);
    }

    [Fact]
    public void MacroExpand_PartCountAboveParts_UsesAllParts()
    {
        Assert.True(SpfMacroString.TryParse("%{d99999999999}.example.com", SpfMacroSyntax.DomainSpec, out var parsed, out _));

        Assert.Equal("email.example.com.example.com", parsed.Expand(s_ipv4));
    }

    [Theory]
    [InlineData("%{x}.example.com", "not a macro letter")]
    [InlineData("%{d0}.example.com", "nonzero")]
    [InlineData("%(ir).example.com", "must be followed by")]
    [InlineData("foo%.example.com", "must be followed by")]
    [InlineData("example.com%", "lone '%'")]
    [InlineData("%{d.example.com", "closing")]
    [InlineData("%{d2!}.example.com", "not a delimiter")]
    [InlineData("%{r}.example.com", "only allowed in explanation")]
    [InlineData("%{c}.example.com", "only allowed in explanation")]
    [InlineData("museum", "top-level label")]
    [InlineData("museum.", "top-level label")]
    [InlineData("abc.123", "top-level label")]
    [InlineData("192.0.2.1", "top-level label")]
    [InlineData("example.-com", "top-level label")]
    [InlineData("example.com:8080", "top-level label")]
    [InlineData("example.com/24", "top-level label")]
    [InlineData("foo.example.com\0", "not allowed")]
    [InlineData("exa mple.com", "not allowed")]
    [InlineData("\u00efgarbage.example.com", "non-ASCII")]
    [InlineData("", "cannot be empty")]
    public void DomainSpec_SyntaxError_IsRefusedWithReason(string text, string reason)
    {
        Assert.False(SpfMacroString.TryParse(text, SpfMacroSyntax.DomainSpec, out _, out var error));

        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("foo.example.xn--zckzah")]
    [InlineData("foo:bar/baz.example.com")]
    [InlineData("%{d}.d.spf.example.com.")]
    [InlineData("_spfh.%{d2}")]
    [InlineData("mail.example...com")]
    [InlineData("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}")]
    public void DomainSpec_ValidSyntax_IsAccepted(string text)
    {
        Assert.True(SpfMacroString.TryParse(text, SpfMacroSyntax.DomainSpec, out _, out var error), error);
    }

    [Theory]
    [InlineData("com", true)]
    [InlineData("xn--zckzah", true)]
    [InlineData("a1", true)]
    [InlineData("123", false)]
    [InlineData("-com", false)]
    [InlineData("com-", false)]
    [InlineData("", false)]
    public void TopLabel_Rfc7208Grammar(string label, bool valid)
    {
        Assert.Equal(valid, SpfMacroString.IsTopLabel(label));
    }

    [Fact]
    public void Explanation_SpacesAllowed_ButNotInDomainSpec()
    {
        Assert.True(SpfMacroString.TryParse("Mail from %{c} is not allowed.", SpfMacroSyntax.Explanation, out _, out _));
        Assert.False(SpfMacroString.TryParse("Mail from %{c} is not allowed.", SpfMacroSyntax.DomainSpec, out _, out _));
    }

    private static SpfMacroContext Context(IPAddress ip) => new(
        "strong-bad@email.example.com",
        "strong-bad",
        "email.example.com",
        "email.example.com",
        ip,
        "mail.example.org",
        "mx.example.net",
        DateTimeOffset.FromUnixTimeSeconds(1_700_000_000),
        null);

    private static IPAddress Ip(string text) => BlocklistApi.Net.IpAddressParser.ParseOrNull(text) ?? throw new ArgumentException(text, nameof(text));
}
