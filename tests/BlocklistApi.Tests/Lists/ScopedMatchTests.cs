using BlocklistApi.Lists;
using BlocklistApi.Net;

namespace BlocklistApi.Tests.Lists;

/// <summary>Scoped allow entries (approved whitelist requests) count for their recipient only.</summary>
public sealed class ScopedMatchTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("bob@example.net", true)]
    [InlineData("BOB@Example.NET", true)]
    [InlineData("<bob@example.net>", true)]
    [InlineData("bob+news@example.net", true)]
    [InlineData("alice@example.net", false)]
    [InlineData("bob@other.example", false)]
    public void MatchScoped_RecipientEntry_CountsForThatMailboxOnly(string recipient, bool matches)
    {
        var scoped = Scoped(Entry("81.2.69.160/29", "bob@example.net"));

        var match = HostedListService.MatchScoped(scoped, Ip("81.2.69.161"), new MailContext(recipient, null), s_now);

        Assert.Equal(matches, match is not null);
        if (matches)
        {
            Assert.Equal(HostedListKind.Allow, match!.List);
            Assert.Equal("81.2.69.160/29", match.Range);
        }
    }

    [Theory]
    [InlineData("anyone@example.net", true)]
    [InlineData("bob@sub.example.net", false)]
    public void MatchScoped_DomainEntry_CountsForTheWholeDomainOnly(string recipient, bool matches)
    {
        var scoped = Scoped(Entry("81.2.69.160/29", "example.net"));

        Assert.Equal(matches, HostedListService.MatchScoped(scoped, Ip("81.2.69.161"), new MailContext(recipient, null), s_now) is not null);
    }

    [Fact]
    public void MatchScoped_AddressOutsideTheRangeOrExpired_DoesNotCount()
    {
        var scoped = Scoped(Entry("81.2.69.160/29", "bob@example.net"), Entry("81.2.70.0/24", "bob@example.net") with { ExpiresAt = s_now });

        Assert.Null(HostedListService.MatchScoped(scoped, Ip("81.2.69.200"), new MailContext("bob@example.net", null), s_now));
        Assert.Null(HostedListService.MatchScoped(scoped, Ip("81.2.70.1"), new MailContext("bob@example.net", null), s_now));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("example.com", true)]
    [InlineData("mail.example.com", true)]
    [InlineData("example.org", false)]
    public void MatchScoped_EntryForOneSenderDomain_CountsForItWhenTheSenderIsKnown(string? senderDomain, bool matches)
    {
        var scoped = Scoped(Entry("81.2.69.160/29", "bob@example.net") with { SenderDomain = "example.com" });

        Assert.Equal(matches, HostedListService.MatchScoped(scoped, Ip("81.2.69.161"), new MailContext("bob@example.net", senderDomain), s_now) is not null);
    }

    [Fact]
    public void MatchScoped_TwoEntries_MostSpecificWins()
    {
        var scoped = Scoped(Entry("81.2.69.0/24", "example.net"), Entry("81.2.69.160/29", "bob@example.net"));

        Assert.Equal("81.2.69.160/29", HostedListService.MatchScoped(scoped, Ip("81.2.69.161"), new MailContext("bob@example.net", null), s_now)!.Range);
    }

    private static Dictionary<string, (IpNetwork Range, ScopedAllowEntry Entry)[]> Scoped(params ScopedAllowEntry[] entries) =>
        entries.GroupBy(e => e.Recipient).ToDictionary(g => g.Key, g => g.Select(e => (IpNetwork.FromText(e.Range), e)).ToArray());

    private static ScopedAllowEntry Entry(string range, string recipient) =>
        new("20261128120000-k3q9x2m4dp", range, recipient, null, "Whitelist request", s_now.AddDays(-1), null);

    private static System.Net.IPAddress Ip(string text) => IpAddressParser.ParseOrNull(text)!;
}
