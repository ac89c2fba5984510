using System.Text;
using BlocklistApi.Diagnostics;

namespace BlocklistApi.Tests.Diagnostics;

public sealed class SmtpGreetingTests
{
    [Fact]
    public void Greeting_SingleLine_GivesCodeAndHost()
    {
        var state = SmtpGreeting.TryParse(["220 mail.example.com ESMTP Postfix"], out var greeting, out _);

        Assert.Equal(GreetingParse.Complete, state);
        Assert.Equal(220, greeting!.Code);
        Assert.Equal("mail.example.com", greeting.Host);
    }

    [Fact]
    public void Greeting_MultiLine_IsCompleteOnlyAfterTheFinalLine()
    {
        Assert.Equal(GreetingParse.Incomplete, SmtpGreeting.TryParse(["220-mx.example.org ESMTP"], out _, out _));

        var state = SmtpGreeting.TryParse(["220-mx.example.org ESMTP", "220-no UCE", "220 ready"], out var greeting, out _);

        Assert.Equal(GreetingParse.Complete, state);
        Assert.Equal("mx.example.org", greeting!.Host);
        Assert.Equal(3, greeting.Lines.Count);
    }

    [Theory]
    [InlineData("220 [192.0.2.1] ready", "[192.0.2.1]")]
    [InlineData("220 [IPv6:2001:db8::1] ready", "[IPv6:2001:db8::1]")]
    [InlineData("220 mail.example.com.", "mail.example.com")]
    [InlineData("220 localhost ESMTP", "localhost")]
    [InlineData("220 mailserver ESMTP", null)]
    [InlineData("220 ESMTP ready", null)]
    [InlineData("220", null)]
    [InlineData("220 [1.2.3] ready", null)]
    public void Greeting_HostWord_IsADomainOrAnAddressLiteral(string line, string? host)
    {
        Assert.Equal(GreetingParse.Complete, SmtpGreeting.TryParse([line], out var greeting, out _));
        Assert.Equal(host, greeting!.Host);
    }

    [Fact]
    public void Greeting_Refusal554_IsCompleteWithItsCode()
    {
        Assert.Equal(GreetingParse.Complete, SmtpGreeting.TryParse(["554 mx.example.net no service for you"], out var greeting, out _));
        Assert.Equal(554, greeting!.Code);
    }

    [Theory]
    [InlineData("SSH-2.0-OpenSSH_9.2", "not an SMTP reply")]
    [InlineData("HTTP/1.1 400 Bad Request", "not an SMTP reply")]
    [InlineData("22 x", "not an SMTP reply")]
    [InlineData("220x mail.example.com", "not an SMTP reply")]
    [InlineData("120 wait", "not an SMTP reply")]
    public void Greeting_NotAReply_IsInvalid(string line, string message)
    {
        Assert.Equal(GreetingParse.Invalid, SmtpGreeting.TryParse([line], out _, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Greeting_MixedCodes_IsInvalid()
    {
        Assert.Equal(GreetingParse.Invalid, SmtpGreeting.TryParse(["220-mx.example.org", "421 bye"], out _, out var error));
        Assert.Contains("mixes", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Greeting_LinesAfterTheFinalLine_AreInvalid()
    {
        Assert.Equal(GreetingParse.Invalid, SmtpGreeting.TryParse(["220 mx.example.org", "220 again"], out _, out _));
    }

    [Fact]
    public void Greeting_TooManyContinuationLines_IsInvalid()
    {
        var lines = Enumerable.Repeat("220-spam", SmtpGreeting.MaxLines + 1).ToList();

        Assert.Equal(GreetingParse.Invalid, SmtpGreeting.TryParse(lines, out _, out _));
    }

    [Fact]
    public void Greeting_ControlCharacters_AreShownAsQuestionMarks()
    {
        SmtpGreeting.TryParse(["220 mx.example.org \u001b[31mred\u00e9"], out var greeting, out _);

        Assert.Equal("220 mx.example.org ?[31mred?", greeting!.Lines[0]);
    }

    [Fact]
    public void CompleteLines_PartialLastLine_WaitsForMore()
    {
        var lines = SmtpBannerReader.CompleteLines(Encoding.ASCII.GetBytes("220-a.example.org hi\r\n220 ok\r\n221 by"));

        Assert.Equal(["220-a.example.org hi", "220 ok"], lines);
    }

    [Fact]
    public void CompleteLines_BareLineFeed_EndsALine()
    {
        Assert.Equal(["220 a.example.org"], SmtpBannerReader.CompleteLines(Encoding.ASCII.GetBytes("220 a.example.org\n")));
    }
}
