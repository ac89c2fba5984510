using BlocklistApi.Greylist;

namespace BlocklistApi.Tests.Greylist;

public sealed class GreylistAddressesTests
{
    [Theory]
    [InlineData("Alice@Example.COM", "alice@example.com")]
    [InlineData("<alice@example.com>", "alice@example.com")]
    [InlineData("prvs=1234abcdef=alice@example.com", "alice@example.com")]
    [InlineData("prvs=alice=0123abcdef@example.com", "alice@example.com")]
    [InlineData("PRVS=9876ABCDEF=Alice@example.com", "alice@example.com")]
    [InlineData("msprvs1=17839hljru_vt=bounces-alice@example.com", "bounces-alice@example.com")]
    [InlineData("btv1==6e3a4d5c1f2==alice@example.com", "alice@example.com")]
    [InlineData("SRS0=HHH1=TT=orig.example=alice@forwarder.example", "srs0=orig.example=alice@forwarder.example")]
    [InlineData("SRS0+xYz9=2Q=orig.example=alice@forwarder.example", "srs0=orig.example=alice@forwarder.example")]
    [InlineData("SRS1=HHH=first.example==HHH=TT=orig.example=alice@second.example", "srs1=first.example=orig.example=alice@second.example")]
    [InlineData("alice+newsletter@example.com", "alice@example.com")]
    [InlineData("bounces+1234567-abcd-bob=example.net@sendgrid.example", "bounces@sendgrid.example")]
    [InlineData("list-bounces-12345-bob=example.net@lists.example", "list-bounces-#-bob=example.net@lists.example")]
    [InlineData("0100018e5f3a2b1c-ab12cd34-5678-4ef0-9abc-def012345678-000000@amazonses.com", "#-#-#-#-#-#-#@amazonses.com")]
    [InlineData("mary2025@example.com", "mary2025@example.com")]
    public void NormalizeSender_PerMessageParts_AreRemoved(string sender, string expected)
    {
        Assert.True(GreylistAddresses.TryNormalizeSender(sender, out var normalized, out _, out var error), error);
        Assert.Equal(expected, normalized);
    }

    [Fact]
    public void NormalizeSender_BatvTagsOfTwoMessages_MakeTheSameSender()
    {
        GreylistAddresses.TryNormalizeSender("prvs=0123abcdef=alice@example.com", out var first, out _, out _);
        GreylistAddresses.TryNormalizeSender("prvs=0124fedcba=alice@example.com", out var second, out _, out _);

        Assert.Equal(first, second);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<>")]
    [InlineData("  <>  ")]
    public void NormalizeSender_NullSender_IsKeyedAsNullSenderWithoutDomain(string sender)
    {
        Assert.True(GreylistAddresses.TryNormalizeSender(sender, out var normalized, out var domain, out _));
        Assert.Equal(GreylistAddresses.NullSender, normalized);
        Assert.Null(domain);
    }

    [Fact]
    public void NormalizeSender_Domain_IsLowerCaseEnvelopeDomainForSpf()
    {
        GreylistAddresses.TryNormalizeSender("SRS0=h=tt=orig.example=a@Forwarder.Example", out _, out var domain, out _);

        Assert.Equal("forwarder.example", domain);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("@example.com")]
    [InlineData("alice@")]
    [InlineData("alice\n@example.com")]
    public void NormalizeSender_Malformed_IsRefused(string? sender)
    {
        Assert.False(GreylistAddresses.TryNormalizeSender(sender, out _, out _, out var error));
        Assert.Contains("sender", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bob@Example.NET", "bob@example.net")]
    [InlineData("<bob+tag@example.net>", "bob+tag@example.net")]
    public void NormalizeRecipient_IsCaseFoldedOnly(string recipient, string expected)
    {
        Assert.True(GreylistAddresses.TryNormalizeRecipient(recipient, out var normalized, out _));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("<>")]
    public void NormalizeRecipient_Missing_IsRefused(string? recipient)
    {
        Assert.False(GreylistAddresses.TryNormalizeRecipient(recipient, out _, out var error));
        Assert.Contains("recipient", error, StringComparison.Ordinal);
    }

    // Fallbacks: what must stay as it is, so that different senders are not collapsed into one key.
    [Theory]
    [InlineData("cafe@example.com", "cafe@example.com")]
    [InlineData("deadbeef@example.com", "deadbeef@example.com")]
    [InlineData("bounce-face-1234@example.com", "bounce-face-#@example.com")]
    [InlineData("ab12@example.com", "#@example.com")]
    [InlineData("ab1@example.com", "ab1@example.com")]
    [InlineData("x1234y@example.com", "x1234y@example.com")]
    [InlineData("a=b=c@example.com", "a=b=c@example.com")]
    [InlineData("prvs==alice@example.com", "prvs==alice@example.com")]
    [InlineData("prvs=alice=@example.com", "prvs=alice=@example.com")]
    [InlineData("prvs=alice=bob=carol@example.com", "prvs=alice=bob=carol@example.com")]
    [InlineData("prvs=alice=012345678x@example.com", "alice@example.com")]
    [InlineData("prvs=alice=012345678@example.com", "#@example.com")]
    [InlineData("prvs=alice=abcdefghi_@example.com", "abcdefghi_@example.com")]
    [InlineData("msprvs1=0123456789=alice@example.com", "alice@example.com")]
    [InlineData("btv1==abc@example.com", "btv1==abc@example.com")]
    [InlineData("btv1==6e3a4d5c1f2==@example.com", "btv1==#==@example.com")]
    [InlineData("bob@example.com", "bob@example.com")]
    [InlineData("srs0@example.com", "srs0@example.com")]
    [InlineData("bob0=a=b=c=d@example.com", "bob0=a=b=c=d@example.com")]
    [InlineData("srs0=@example.com", "srs0=@example.com")]
    [InlineData("srs0=hhh=tt=alice@example.com", "srs0=hhh=tt=alice@example.com")]
    [InlineData("SRS0-HHH=TT=orig.example=alice@forwarder.example", "srs0=orig.example=alice@forwarder.example")]
    [InlineData("srs0_hhh=tt=orig.example=alice@forwarder.example", "srs0_hhh=tt=orig.example=alice@forwarder.example")]
    [InlineData("srs2=hhh=tt=orig.example=alice@forwarder.example", "srs2=hhh=tt=orig.example=alice@forwarder.example")]
    [InlineData("srs1=hhh=first.example=hhh=tt=orig.example=alice@second.example", "srs1=hhh=first.example=hhh=tt=orig.example=alice@second.example")]
    [InlineData("srs1=first.example==hhh=tt=orig.example=alice@second.example", "srs1=first.example==hhh=tt=orig.example=alice@second.example")]
    [InlineData("srs1=hhh=first.example==tt=orig.example@second.example", "srs1=hhh=first.example==tt=orig.example@second.example")]
    [InlineData("+alice@example.com", "+alice@example.com")]
    [InlineData("alice@example.com.", "alice@example.com")]
    [InlineData("alice@example.com..", "alice@example.com")]
    [InlineData("<Alice+News@Example.COM>", "alice@example.com")]
    public void NormalizeSender_NotAPerMessagePart_IsKept(string sender, string expected)
    {
        Assert.True(GreylistAddresses.TryNormalizeSender(sender, out var normalized, out _, out var error), error);
        Assert.Equal(expected, normalized);
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData("MAILER-DAEMON", "mailer-daemon")]
    [InlineData("bounce-12345", "bounce-#")]
    [InlineData("<postmaster>", "postmaster")]
    public void NormalizeSender_WithoutAt_IsKeptWithoutDomain(string sender, string expected)
    {
        Assert.True(GreylistAddresses.TryNormalizeSender(sender, out var normalized, out var domain, out var error), error);
        Assert.Equal(expected, normalized);
        Assert.Null(domain);
    }

    [Fact]
    public void NormalizeSender_TrailingDotOnTheDomain_IsDroppedFromTheSpfDomain()
    {
        Assert.True(GreylistAddresses.TryNormalizeSender("alice@Example.COM.", out _, out var domain, out _));
        Assert.Equal("example.com", domain);
    }

    [Theory]
    [InlineData("alice@.", "'sender' must be local@domain, \"\" or \"<>\".")]
    [InlineData("@example.com", "'sender' must be local@domain, \"\" or \"<>\".")]
    [InlineData("alice\t@example.com", "'sender' contains control characters.")]
    [InlineData(null, "'sender' is required: the envelope sender (MAIL FROM), or \"\" for the null sender of bounces.")]
    public void NormalizeSender_Malformed_SaysWhatIsWrong(string? sender, string expected)
    {
        Assert.False(GreylistAddresses.TryNormalizeSender(sender, out _, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void NormalizeSender_At320Characters_IsAcceptedAndAt321Refused()
    {
        var longest = new string('a', 64) + "@" + new string('b', 251) + ".com";
        var tooLong = "a" + longest;

        Assert.Equal(320, longest.Length);
        Assert.True(GreylistAddresses.TryNormalizeSender("<" + longest + ">", out var normalized, out _, out _));
        Assert.Equal(longest, normalized);
        Assert.False(GreylistAddresses.TryNormalizeSender(tooLong, out _, out _, out var error));
        Assert.Equal("'sender' is longer than 320 characters.", error);
    }

    [Fact]
    public void NormalizeRecipient_At320Characters_IsAcceptedAndAt321Refused()
    {
        var longest = new string('a', 64) + "@" + new string('b', 251) + ".com";

        Assert.True(GreylistAddresses.TryNormalizeRecipient(longest, out var normalized, out _));
        Assert.Equal(longest, normalized);
        Assert.False(GreylistAddresses.TryNormalizeRecipient("a" + longest, out _, out var error));
        Assert.Equal("'recipient' is longer than 320 characters.", error);
    }

    [Theory]
    [InlineData("bob@example.net.", "bob@example.net")]
    [InlineData("bob@example.net..", "bob@example.net")]
    [InlineData(" <Bob@Example.NET> ", "bob@example.net")]
    [InlineData("bounces-1234@example.net", "bounces-1234@example.net")]
    public void NormalizeRecipient_TrailingDotsAndBrackets_AreRemovedButNothingElse(string recipient, string expected)
    {
        Assert.True(GreylistAddresses.TryNormalizeRecipient(recipient, out var normalized, out var error), error);
        Assert.Equal(expected, normalized);
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData(null, "'recipient' is required: the envelope recipient (RCPT TO).")]
    [InlineData(" ", "'recipient' is required: the envelope recipient (RCPT TO).")]
    [InlineData("bob\r@example.net", "'recipient' contains control characters.")]
    public void NormalizeRecipient_Malformed_SaysWhatIsWrong(string? recipient, string expected)
    {
        Assert.False(GreylistAddresses.TryNormalizeRecipient(recipient, out _, out var error));
        Assert.Equal(expected, error);
    }
}
