using BlocklistApi.Notifications;
using MimeKit;

namespace BlocklistApi.Tests.Notifications;

public sealed class EmailMimeTests
{
    private static readonly DateTimeOffset s_date = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Build_Message_HasTheHeadersEveryNotificationNeeds()
    {
        var message = new OutboxMessage("3f2a@example.net", s_date, [new EmailRecipient("bob@example.net", "Bob")], "Subject", "Text body", "<p>HTML body</p>");

        var mime = EmailMime.Build(message, MailboxAddress.Parse("Blocklist <blocklist@example.net>"));

        Assert.Equal("3f2a@example.net", mime.MessageId);
        Assert.Equal(s_date, mime.Date);
        Assert.Equal("blocklist@example.net", Assert.Single(mime.From.Mailboxes).Address);
        Assert.Equal("auto-generated", mime.Headers["Auto-Submitted"]);
        Assert.Equal("Text body", mime.TextBody);
        Assert.Equal("<p>HTML body</p>", mime.HtmlBody);
    }

    [Fact]
    public void Build_HostileDisplayName_StaysOneEncodedMailbox()
    {
        var name = "Mallory\" <evil@example.org>, \"Ünïcödé, Esq.";
        var message = new OutboxMessage("id@example.net", s_date, [new EmailRecipient("bob@example.net", name)], "Subject", "Text", null);

        using var written = new MemoryStream();
        EmailMime.Build(message, MailboxAddress.Parse("blocklist@example.net")).WriteTo(written);
        written.Position = 0;
        var parsed = MimeMessage.Load(written);

        var to = Assert.Single(parsed.To.Mailboxes);
        Assert.Equal("bob@example.net", to.Address);
        Assert.Equal(name, to.Name);
    }

    [Theory]
    [InlineData("Hello\r\nBcc: victim@example.org", null, "bob@example.net")]
    [InlineData("Hello", "Bob\r\nBcc: victim@example.org", "bob@example.net")]
    [InlineData("Hello", null, "bob@example.net\r\nBcc: victim@example.org")]
    [InlineData("Hello", null, "not an address")]
    [InlineData("Hello\u2028World", null, "bob@example.net")]
    public void EnsureSafe_LineBreaksOrBadAddresses_AreRefusedBeforeQueueing(string subject, string? name, string address)
    {
        Assert.Throws<ArgumentException>(() => EmailAddresses.EnsureSafe(new EmailMessage([new EmailRecipient(address, name)], subject, "Text")));
    }

    [Theory]
    [InlineData("blocklist@example.net", true)]
    [InlineData("Blocklist <blocklist@example.net>", true)]
    [InlineData("a@example.net, b@example.net", false)]
    [InlineData("blocklist", false)]
    [InlineData("blocklist@localhost", true)]
    [InlineData("Blocklist <blocklist@example.net>\r\nBcc: x@example.org", false)]
    public void TryParseMailbox_ConfiguredFrom_IsOneValidAddress(string from, bool valid)
    {
        Assert.Equal(valid, EmailAddresses.TryParseMailbox(from, out _));
    }
}
