using BlocklistApi.Whitelist;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BlocklistApi.Tests.Whitelist;

public sealed class WhitelistLinksTests
{
    private const string Id = "20261128120000-k3q9x2m4dp";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Verify_TokenItMade_IsValidForItsRequestAndActionOnly()
    {
        var links = Links();
        var token = links.Token(Id, WhitelistLinkAction.Approve, links.ExpiryFromNow());

        Assert.Equal(WhitelistTokenCheck.Valid, links.Verify(Id, WhitelistLinkAction.Approve, token));
        Assert.Equal(WhitelistTokenCheck.Invalid, links.Verify(Id, WhitelistLinkAction.Deny, token));
        Assert.Equal(WhitelistTokenCheck.Invalid, links.Verify(Id, WhitelistLinkAction.Confirm, token));
        Assert.Equal(WhitelistTokenCheck.Invalid, links.Verify("20261128120000-aaaaaaaaaa", WhitelistLinkAction.Approve, token));
    }

    [Fact]
    public void Verify_AfterTheLinkLifetime_IsExpired()
    {
        var links = Links();
        var token = links.Token(Id, WhitelistLinkAction.Confirm, links.ExpiryFromNow());

        _time.Advance(TimeSpan.FromDays(2) - TimeSpan.FromSeconds(1));
        var justBefore = links.Verify(Id, WhitelistLinkAction.Confirm, token);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(WhitelistTokenCheck.Valid, justBefore);
        Assert.Equal(WhitelistTokenCheck.Expired, links.Verify(Id, WhitelistLinkAction.Confirm, token));
    }

    [Fact]
    public void Verify_ExpiryMovedByHand_IsInvalid()
    {
        var links = Links();
        var token = links.Token(Id, WhitelistLinkAction.Approve, links.ExpiryFromNow());
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        var later = (long.Parse(token[..dot], System.Globalization.CultureInfo.InvariantCulture) + 86400).ToString(System.Globalization.CultureInfo.InvariantCulture) + token[dot..];

        Assert.Equal(WhitelistTokenCheck.Invalid, links.Verify(Id, WhitelistLinkAction.Approve, later));
    }

    [Fact]
    public void Verify_SignedWithAnotherSecret_IsInvalidEvenWhenExpired()
    {
        var other = Links("another-secret-of-at-least-32-bytes!!");
        var forged = other.Token(Id, WhitelistLinkAction.Approve, other.ExpiryFromNow());
        var links = Links();

        Assert.Equal(WhitelistTokenCheck.Invalid, links.Verify(Id, WhitelistLinkAction.Approve, forged));
        _time.Advance(TimeSpan.FromDays(3));
        Assert.Equal(WhitelistTokenCheck.Invalid, links.Verify(Id, WhitelistLinkAction.Approve, forged));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1796558400")]
    [InlineData("1796558400.")]
    [InlineData(".abc")]
    [InlineData("x1796558400.abc")]
    [InlineData("1796558400.not base64!")]
    [InlineData("99999999999999999999.abc")]
    public void Verify_Malformed_IsInvalid(string? token)
    {
        Assert.Equal(WhitelistTokenCheck.Invalid, Links().Verify(Id, WhitelistLinkAction.Confirm, token));
    }

    [Fact]
    public void Link_OpensThePageWithActionIdAndToken()
    {
        var link = new Uri(Links().Link(Id, WhitelistLinkAction.Deny));
        var query = System.Web.HttpUtility.ParseQueryString(link.Query);

        Assert.Equal("https://mail-help.example.net/", link.GetLeftPart(UriPartial.Path));
        Assert.Equal("deny", query["whitelist"]);
        Assert.Equal(Id, query["id"]);
        Assert.Equal(WhitelistTokenCheck.Valid, Links().Verify(Id, WhitelistLinkAction.Deny, query["token"]));
    }

    private WhitelistLinks Links(string secret = "a-link-secret-of-at-least-32-bytes-long") =>
        new(Options.Create(new WhitelistOptions { LinkSecret = secret, PageUrl = "https://mail-help.example.net/" }), _time);
}
