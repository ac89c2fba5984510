using BlocklistApi.Net;

namespace BlocklistApi.Tests.Net;

public sealed class MailAddressesTests
{
    [Theory]
    [InlineData("alice@example.com", "alice", "example.com")]
    [InlineData("\"a@b\"@example.com", "\"a@b\"", "example.com")]
    [InlineData("example.com", null, "example.com")]
    [InlineData("@example.com", "", "example.com")]
    public void Split_AtTheLastAt_LocalPartAndDomain(string address, string? local, string domain)
    {
        Assert.Equal((local, domain), MailAddresses.Split(address));
    }

    [Theory]
    [InlineData("alice@example.com", true)]
    [InlineData("a.b+tag!#$%&'*/=?^_`{|}~-@mail.example.com", true)]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("example.com", false)]
    [InlineData("@example.com", false)]
    [InlineData(".alice@example.com", false)]
    [InlineData("alice.@example.com", false)]
    [InlineData("al..ice@example.com", false)]
    [InlineData("al ice@example.com", false)]
    [InlineData("\"alice\"@example.com", false)]
    [InlineData("alice@example.com.", false)]
    [InlineData("alice@example..com", false)]
    [InlineData("postmaster@localhost", false)]
    public void IsValidMailbox_FormAddresses(string? address, bool expected)
    {
        Assert.Equal(expected, MailAddresses.IsValidMailbox(address));
    }

    [Fact]
    public void IsValidMailbox_OneLabelDomain_OnlyWhenAllowed()
    {
        Assert.True(MailAddresses.IsValidMailbox("postmaster@localhost", allowSingleLabel: true));
        Assert.False(MailAddresses.IsValidMailbox("postmaster@localhost", allowSingleLabel: false));
    }

    [Fact]
    public void IsValidMailbox_LocalPartOf64_IsValidAnd65IsNot()
    {
        Assert.True(MailAddresses.IsValidMailbox(new string('a', 64) + "@example.com"));
        Assert.False(MailAddresses.IsValidMailbox(new string('a', 65) + "@example.com"));
    }

    [Fact]
    public void IsValidMailbox_AddressOf254_IsValidAnd255IsNot()
    {
        // 64 + '@' + a 189-character domain of valid labels = 254; one more domain character makes 255, with the local
        // part and every label still within their own limits, so only the length of the whole address refuses it.
        var longest = new string('a', 64) + "@" + string.Join('.', new string('b', 63), new string('c', 63), new string('d', 61));
        var tooLong = new string('a', 64) + "@" + string.Join('.', new string('b', 63), new string('c', 63), new string('d', 62));

        Assert.Equal(MailAddresses.MaxAddressLength, longest.Length);
        Assert.True(MailAddresses.IsValidMailbox(longest));
        Assert.Equal(MailAddresses.MaxAddressLength + 1, tooLong.Length);
        Assert.False(MailAddresses.IsValidMailbox(tooLong));
    }
}
