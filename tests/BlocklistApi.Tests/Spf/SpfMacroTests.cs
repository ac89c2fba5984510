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

    [Fact]
    public void MacroExpand_Ipv6WithEveryHexDigit_UsesUpperCaseNibbles()
    {
        Assert.True(SpfMacroString.TryParse("%{i}", SpfMacroSyntax.ModifierValue, out var parsed, out _));

        var expanded = parsed.Expand(Context(Ip("0123:4567:89ab:cdef:fedc:ba98:7654:3210")));

        Assert.Equal("0.1.2.3.4.5.6.7.8.9.A.B.C.D.E.F.F.E.D.C.B.A.9.8.7.6.5.4.3.2.1.0", expanded);
    }

    [Theory]
    [InlineData("%{S}", "a*b/c:d@email.example.com", "a%2Ab%2Fc%3Ad%40email.example.com")]
    [InlineData("%{S}", "z {|}@x", "z%20%7B%7C%7D%40x")]
    [InlineData("%{S}", "caf\u00e9@x", "caf%C3%A9%40x")]
    [InlineData("%{S}", "AZaz09-._~@x", "AZaz09-._~%40x")]
    public void MacroExpand_UrlEscape_WritesEachByteAsTwoUpperCaseHexDigits(string macro, string sender, string expected)
    {
        Assert.True(SpfMacroString.TryParse(macro, SpfMacroSyntax.Explanation, out var parsed, out _));

        Assert.Equal(expected, parsed.Expand(s_ipv4 with { Sender = sender }));
    }

    [Fact]
    public void MacroExpand_UrlEscapedClientIpv6_EscapesTheColons()
    {
        Assert.True(SpfMacroString.TryParse("%{C}", SpfMacroSyntax.Explanation, out var parsed, out _));

        Assert.Equal("2001%3Adb8%3A%3Acb01", parsed.Expand(Context(Ip("2001:db8::cb01"))));
    }

    [Theory]
    [InlineData("%{i}", "192.0.2.3")]
    [InlineData("%{c}", "192.0.2.3")]
    [InlineData("%{v}", "in-addr")]
    [InlineData("%{h}", "mail.example.org")]
    [InlineData("%{r}", "mx.example.net")]
    [InlineData("%{t}", "1700000000")]
    [InlineData("%{p}", "unknown")]
    [InlineData("%{l}", "strong-bad")]
    [InlineData("%{o}", "email.example.com")]
    [InlineData("%{s}", "strong-bad@email.example.com")]
    [InlineData("%{D}", "email.example.com")]
    [InlineData("%{dR}", "com.example.email")]
    [InlineData("%{d1R}", "email")]
    [InlineData("%{d01}", "com")]
    [InlineData("%{d999}", "email.example.com")]
    [InlineData("%{l-}", "strong.bad")]
    [InlineData("%{s+}", "strong-bad@email.example.com")]
    [InlineData("%{s=}", "strong-bad@email.example.com")]
    [InlineData("%{s.-+,/_=}", "strong.bad@email.example.com")]
    [InlineData("%{s1-}", "bad@email.example.com")]
    [InlineData("%{d2.}", "example.com")]
    [InlineData("%{i2r}", "0.192")]
    [InlineData("plain text", "plain text")]
    [InlineData("%%%_%-", "% %20")]
    [InlineData("a%{l}b%{o}c", "astrong-badbemail.example.comc")]
    public void MacroExpand_EachLetterAndTransformer_GivesTheRfcValue(string macro, string expected)
    {
        Assert.True(SpfMacroString.TryParse(macro, SpfMacroSyntax.Explanation, out var parsed, out var error), error);

        Assert.Equal(expected, parsed.Expand(s_ipv4));
    }

    [Fact]
    public void MacroExpand_Ipv6Version_IsIp6()
    {
        Assert.True(SpfMacroString.TryParse("%{v}", SpfMacroSyntax.DomainSpec, out var parsed, out _));

        Assert.Equal("ip6", parsed.Expand(Context(Ip("2001:db8::1"))));
    }

    // A part count with leading zeros is the number it spells (RFC 7208 section 7.1: transformers = *DIGIT ["r"]).
    [Theory]
    [InlineData("%{d0001}.example.net", "com.example.net")]
    [InlineData("%{d00002}.example.net", "example.com.example.net")]
    [InlineData("%{d0000000000000000002}.example.net", "example.com.example.net")]
    [InlineData("%{d1000}.example.net", "email.example.com.example.net")]
    public void MacroExpand_PartCountWithLeadingZeros_KeepsThatManyParts(string macro, string expected)
    {
        Assert.True(SpfMacroString.TryParse(macro, SpfMacroSyntax.DomainSpec, out var parsed, out var error), error);

        Assert.Equal(expected, parsed.Expand(s_ipv4));
    }

    [Fact]
    public void DomainSpec_PartCountOfZerosOnly_IsRefusedAsZero()
    {
        Assert.False(SpfMacroString.TryParse("%{d0000}.example.net", SpfMacroSyntax.DomainSpec, out _, out var error));

        Assert.Equal("'%{d0000}.example.net': a macro's part count must be nonzero (RFC 7208 section 7.3).", error);
    }

    [Theory]
    [InlineData("%{d}.example.com", false)]
    [InlineData("p.example.com", false)]
    [InlineData("%{d}.p.%{i}.example.com", false)]
    [InlineData("%{p}.example.com", true)]
    [InlineData("%{P}.example.com", true)]
    [InlineData("%{ir}.%{p2r}.example.com", true)]
    public void UsesValidatedName_OnlyWithAPMacro(string text, bool expected)
    {
        Assert.True(SpfMacroString.TryParse(text, SpfMacroSyntax.DomainSpec, out var parsed, out _));

        Assert.Equal(expected, parsed.UsesValidatedName);
    }

    [Theory]
    [InlineData("%{i}.example", "192.0.2.3.example")]
    [InlineData("%{i}.example.", "192.0.2.3.example.")]
    [InlineData("%{d}", "email.example.com")]
    [InlineData("%{d}%%", "email.example.com%")]
    [InlineData("x.%{d}%_", "x.email.example.com ")]
    [InlineData("%{d}%-", "email.example.com%20")]
    [InlineData(".example", ".example")]
    [InlineData("a-b.c-1", "a-b.c-1")]
    public void DomainSpec_EndingInAMacroOrTopLabel_IsAcceptedAndExpanded(string text, string expected)
    {
        Assert.True(SpfMacroString.TryParse(text, SpfMacroSyntax.DomainSpec, out var parsed, out var error), error);

        Assert.Equal("", error);
        Assert.Equal(text, parsed.ToString());
        Assert.Equal(expected, parsed.Expand(s_ipv4));
    }

    [Theory]
    [InlineData("%{}.example.com", "'%{}.example.com': '%{}' names no macro letter.")]
    [InlineData("%{t}.example.com", "'%{t}.example.com': the macro %{t} is only allowed in explanation text (RFC 7208 section 7.2).")]
    [InlineData("%{x}.example.com", "'%{x}.example.com': 'x' is not a macro letter (s, l, o, d, i, p, h, v; c, r, t in explanations).")]
    [InlineData("%{d2r!}.example.com", "'%{d2r!}.example.com': '!' in %{d2r!} is not a delimiter (one of .-+,/_=).")]
    [InlineData("%{dr2}.example.com", "'%{dr2}.example.com': '2' in %{dr2} is not a delimiter (one of .-+,/_=).")]
    [InlineData("%{d.example.com", "'%{d.example.com' has a macro without its closing '}'.")]
    [InlineData("%a", "'%a' has '%a': a '%' must be followed by '{', '%', '_' or '-' (RFC 7208 section 7.1).")]
    [InlineData("a.com%", "'a.com%' ends with a lone '%'; write %% for a percent sign (RFC 7208 section 7.1).")]
    [InlineData("a\tb.com", "'a?b.com' contains a character that is not allowed there (code 9).")]
    [InlineData("\u00e9.com", "'?.com' contains a non-ASCII character; SPF records are 7-bit ASCII (RFC 7208 section 3.1).")]
    [InlineData("\u007f.com", "'?.com' contains a character that is not allowed there (code 127).")]
    [InlineData("%{d}.1", "'%{d}.1' is not a valid domain: it must end in a macro or in a top-level label such as '.com' (RFC 7208 section 7.1); IP addresses belong in ip4:/ip6:.")]
    public void DomainSpec_SyntaxError_SaysExactlyWhat(string text, string expected)
    {
        Assert.False(SpfMacroString.TryParse(text, SpfMacroSyntax.DomainSpec, out _, out var error));

        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("%{c}", "192.0.2.3")]
    [InlineData("v=%{v}", "v=in-addr")]
    public void ModifierValue_AnyMacroLetter_IsAccepted(string text, string expected)
    {
        Assert.True(SpfMacroString.TryParse(text, SpfMacroSyntax.ModifierValue, out var parsed, out var error), error);

        Assert.Equal(expected, parsed.Expand(s_ipv4));
    }

    [Fact]
    public void ModifierValue_Space_IsRefused()
    {
        Assert.False(SpfMacroString.TryParse("a b", SpfMacroSyntax.ModifierValue, out _, out var error));

        Assert.Equal("'a b' contains a character that is not allowed there (code 32).", error);
    }

    [Theory]
    [InlineData("a-b", true)]
    [InlineData("a--1", true)]
    [InlineData("1-2", true)]
    [InlineData("a-", false)]
    [InlineData("-", false)]
    [InlineData("a_b", false)]
    [InlineData("a.b", false)]
    public void TopLabel_WithDashes_MustStartAndEndAlphanumeric(string label, bool valid)
    {
        Assert.Equal(valid, SpfMacroString.IsTopLabel(label));
    }

    [Theory]
    [InlineData("!#$&'*.example.com")]
    [InlineData("~user.example.com")]
    [InlineData("a\"b.example.com")]
    public void DomainSpec_LiteralsFromBangToTilde_AreAccepted(string text)
    {
        Assert.True(SpfMacroString.TryParse(text, SpfMacroSyntax.DomainSpec, out var parsed, out var error), error);

        Assert.Equal(text, parsed.Expand(s_ipv4));
    }

    [Fact]
    public void DomainSpec_RefusedText_IsQuotedWithTildeKeptAndControlsAsQuestionMarks()
    {
        Assert.False(SpfMacroString.TryParse("~a\tb.com", SpfMacroSyntax.DomainSpec, out _, out var error));

        Assert.Equal("'~a?b.com' contains a character that is not allowed there (code 9).", error);
    }

    [Fact]
    public void Parse_MacrosAndLiterals_GiveOnePartEachWithoutEmptyLiterals()
    {
        Assert.True(SpfMacroString.TryParse("%{d}%{i}x%{l1r-}", SpfMacroSyntax.DomainSpec, out var parsed, out _));

        Assert.Equal(
            [
                new SpfMacroPart(null, 'd', false, 0, false, ""),
                new SpfMacroPart(null, 'i', false, 0, false, ""),
                SpfMacroPart.Text("x"),
                new SpfMacroPart(null, 'l', false, 1, true, "-"),
            ],
            parsed.Parts);
    }

    [Fact]
    public void MacroExpand_ThreeDigitPartCount_KeepsThatManyParts()
    {
        Assert.True(SpfMacroString.TryParse("%{l100-}", SpfMacroSyntax.DomainSpec, out var parsed, out _));

        var expanded = parsed.Expand(s_ipv4 with { LocalPart = string.Join('-', Enumerable.Range(1, 101)) });

        Assert.Equal(string.Join('.', Enumerable.Range(2, 100)), expanded);
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
