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
}
