using BlocklistApi.Whitelist;

namespace BlocklistApi.Tests.Whitelist;

public sealed class WhitelistRequestValidationTests
{
    private static readonly WhitelistRequestSubmission s_good = new(
        " Postmaster@Example.com ", " Alice Example ", "81.2.69.160/29", "Example.com.", "<Bob@Example.net>", "  Our ISP cannot get its range delisted.  ");

    [Fact]
    public void Validate_GoodSubmission_IsTrimmedAndLowerCased()
    {
        Assert.True(WhitelistRequestValidation.TryValidate(s_good, out var valid, out _));

        Assert.Equal("postmaster@example.com", valid.Email);
        Assert.Equal("Alice Example", valid.Name);
        Assert.Equal("81.2.69.160/29", valid.Range.ToString());
        Assert.Equal("example.com", valid.SenderDomain);
        Assert.Equal("bob@example.net", valid.Recipient);
        Assert.Equal("Our ISP cannot get its range delisted.", valid.Reason);
    }

    [Fact]
    public void Validate_OptionalFieldsLeftOut_AreNull()
    {
        Assert.True(WhitelistRequestValidation.TryValidate(s_good with { Name = " ", SenderDomain = null }, out var valid, out _));

        Assert.Null(valid.Name);
        Assert.Null(valid.SenderDomain);
        Assert.Equal(29, valid.Range.PrefixLength);
    }

    [Fact]
    public void Validate_EveryFieldBad_NamesEveryField()
    {
        var bad = new WhitelistRequestSubmission("not an address", "Mallory\r\nBcc: victim@example.org", "10.0.0.0/8", "bad domain!", "", "short");

        Assert.False(WhitelistRequestValidation.TryValidate(bad, out _, out var error));

        Assert.Equal(ApiErrorKind.Invalid, error.Kind);
        Assert.Equal(["email", "ip", "name", "reason", "recipient", "senderDomain"], error.Errors!.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("email", "bob")]
    [InlineData("email", "bob@localhost")]
    [InlineData("email", "bob@example.com\r\nBcc: x@example.org")]
    [InlineData("email", "\"quoted local\"@example.com")]
    [InlineData("email", "bob..smith@example.com")]
    [InlineData("name", "Alice\nExample")]
    [InlineData("name", "Alice\u202EelpmaxE")]
    [InlineData("ip", "1.2.3")]
    [InlineData("ip", "81.2.69.0/23")]
    [InlineData("ip", "2a00:1450::/47")]
    [InlineData("ip", "81.2.69.161/29")]
    [InlineData("ip", "192.168.1.10")]
    [InlineData("ip", "127.0.0.1")]
    [InlineData("ip", "192.0.2.1")]
    [InlineData("ip", "fe80::1")]
    [InlineData("ip", "81.2.69.160\n")]
    [InlineData("senderDomain", "example")]
    [InlineData("senderDomain", "exa mple.com")]
    [InlineData("recipient", "bob@")]
    [InlineData("recipient", "bob@example.net\r\nX-Injected: 1")]
    [InlineData("reason", "too short")]
    [InlineData("reason", "Two lines\r\nare not accepted here.")]
    [InlineData("reason", "A tab\tis a control character too.")]
    public void Validate_OneBadField_NamesThatField(string field, string value)
    {
        var submission = field switch
        {
            "email" => s_good with { Email = value },
            "name" => s_good with { Name = value },
            "ip" => s_good with { Ip = value },
            "senderDomain" => s_good with { SenderDomain = value },
            "recipient" => s_good with { Recipient = value },
            _ => s_good with { Reason = value },
        };

        Assert.False(WhitelistRequestValidation.TryValidate(submission, out _, out var error));

        Assert.Equal(field, error.Field);
        Assert.StartsWith($"'{field}'", error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("81.2.69.0/24")]
    [InlineData("81.2.69.160")]
    [InlineData("2a00:1450:4001::/48")]
    [InlineData("2a00:1450:4001:81b::25")]
    public void Validate_WidestAllowedRangesAndSingleAddresses_Pass(string ip)
    {
        Assert.True(WhitelistRequestValidation.TryValidate(s_good with { Ip = ip }, out _, out _));
    }

    [Fact]
    public void Validate_TooLong_NamesEachField()
    {
        var bad = s_good with { Name = new string('a', 101), Reason = new string('a', 2001), Email = new string('a', 250) + "@example.com" };

        Assert.False(WhitelistRequestValidation.TryValidate(bad, out _, out var error));

        Assert.Equal(["email", "name", "reason"], error.Errors!.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("  ", null, null)]
    [InlineData("Fine, until June.", "Fine, until June.", null)]
    [InlineData("Line\nbreak", "Line\nbreak", "'note' contains a line break or control character; write it on one line.")]
    public void Note_Rules_AreChecked(string? note, string? expected, string? error)
    {
        Assert.Equal(expected, WhitelistRequestValidation.Note(note, out var message));
        Assert.Equal(error, message);
    }
}
