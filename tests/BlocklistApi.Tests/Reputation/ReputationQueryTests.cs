using BlocklistApi.Reputation;

namespace BlocklistApi.Tests.Reputation;

public sealed class ReputationQueryTests
{
    [Theory]
    [InlineData(null, null, null, null)]
    [InlineData(null, "alice@example.com", null, null)]
    [InlineData("Bob@Example.net", null, "bob@example.net", null)]
    [InlineData("<bob@example.net>", "Alice@Mail.Example.com", "bob@example.net", "mail.example.com")]
    [InlineData("bob@example.net", "<>", "bob@example.net", null)]
    [InlineData("bob@example.net", "", "bob@example.net", null)]
    public void TryReadMailContext_GoodParameters_GiveTheContext(string? recipient, string? sender, string? expectedRecipient, string? expectedDomain)
    {
        Assert.True(ReputationQuery.TryReadMailContext(recipient, sender, out var mail, out _));

        Assert.Equal(expectedRecipient, mail?.Recipient);
        Assert.Equal(expectedDomain, mail?.SenderDomain);
    }

    [Theory]
    [InlineData("bob", null, "recipient")]
    [InlineData("bob@example.net\r\n", null, "recipient")]
    [InlineData("bob@example.net", "alice", "sender")]
    public void TryReadMailContext_BadParameter_NamesIt(string? recipient, string? sender, string field)
    {
        Assert.False(ReputationQuery.TryReadMailContext(recipient, sender, out _, out var error));

        Assert.Equal(field, error.Field);
    }
}
