using System.Buffers;
using System.Text;
using BlocklistApi.PostfixPolicy;

namespace BlocklistApi.Tests.PostfixPolicy;

public sealed class PolicyProtocolTests
{
    private const string Request = "request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=192.0.2.10\nsender=alice@example.com\nrecipient=bob@example.net\n\n";

    [Fact]
    public void TryRead_CompleteRequest_ReadsAttributesAndConsumesIt()
    {
        var buffer = Bytes(Request);

        Assert.Equal(PolicyReadStatus.Request, PolicyProtocol.TryRead(ref buffer, out var request));
        Assert.Equal("192.0.2.10", request!["client_address"]);
        Assert.Equal("RCPT", request["protocol_state"]);
        Assert.Null(request.Problem);
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void TryRead_TwoRequestsInOneRead_ReadsThemOneAfterTheOther()
    {
        var buffer = Bytes(Request + Request.Replace("192.0.2.10", "192.0.2.11", StringComparison.Ordinal));

        PolicyProtocol.TryRead(ref buffer, out var first);
        Assert.Equal(PolicyReadStatus.Request, PolicyProtocol.TryRead(ref buffer, out var second));
        Assert.Equal("192.0.2.10", first!["client_address"]);
        Assert.Equal("192.0.2.11", second!["client_address"]);
    }

    [Fact]
    public void TryRead_EveryPrefix_NeedsMoreAndConsumesNothing()
    {
        for (var length = 0; length < Request.Length; length++)
        {
            var buffer = Bytes(Request[..length]);
            Assert.Equal(PolicyReadStatus.NeedMore, PolicyProtocol.TryRead(ref buffer, out _));
            Assert.Equal(length, buffer.Length);
        }
    }

    [Fact]
    public void TryRead_CrLfLinesAndUnknownAttributes_AreAccepted()
    {
        var buffer = Bytes("request=smtpd_access_policy\r\nfuture_attribute=x=y\r\nclient_address=192.0.2.1\r\n\r\n");

        PolicyProtocol.TryRead(ref buffer, out var request);

        Assert.Equal("x=y", request!["future_attribute"]);
        Assert.Equal("192.0.2.1", request["client_address"]);
    }

    [Theory]
    [InlineData("no equals sign\n\n", "name=value")]
    [InlineData("=value\n\n", "name=value")]
    [InlineData("client_address=192.0.2.1\0\n\n", "NUL")]
    public void TryRead_MalformedLine_GivesRequestWithProblem(string text, string problem)
    {
        var buffer = Bytes(text);

        Assert.Equal(PolicyReadStatus.Request, PolicyProtocol.TryRead(ref buffer, out var request));
        Assert.Contains(problem, request!.Problem);
    }

    [Fact]
    public void TryRead_InvalidUtf8_GivesRequestWithProblem()
    {
        var buffer = new ReadOnlySequence<byte>([.. "sender="u8, 0xC3, 0x28, (byte)'\n', (byte)'\n']);

        PolicyProtocol.TryRead(ref buffer, out var request);

        Assert.Contains("UTF-8", request!.Problem);
    }

    [Fact]
    public void TryRead_OneMegabyteLineWithoutNewline_IsTooLarge()
    {
        var buffer = Bytes("sender=" + new string('a', 1024 * 1024));

        Assert.Equal(PolicyReadStatus.TooLarge, PolicyProtocol.TryRead(ref buffer, out _));
    }

    [Fact]
    public void TryRead_LineOverTheLimit_IsTooLarge()
    {
        var buffer = Bytes("sender=" + new string('a', PolicyProtocol.MaxLineLength) + "\n\n");

        Assert.Equal(PolicyReadStatus.TooLarge, PolicyProtocol.TryRead(ref buffer, out _));
    }

    [Fact]
    public void TryRead_TooManyAttributes_IsTooLarge()
    {
        var buffer = Bytes(string.Concat(Enumerable.Range(0, PolicyProtocol.MaxAttributes + 1).Select(i => $"a{i}=b\n")) + "\n");

        Assert.Equal(PolicyReadStatus.TooLarge, PolicyProtocol.TryRead(ref buffer, out _));
    }

    [Fact]
    public void TryRead_RandomBytes_NeverThrows()
    {
        var random = new Random(10040);
        for (var i = 0; i < 5000; i++)
        {
            var bytes = new byte[random.Next(0, 2000)];
            random.NextBytes(bytes);
            var buffer = new ReadOnlySequence<byte>(bytes);
            while (PolicyProtocol.TryRead(ref buffer, out _) == PolicyReadStatus.Request)
            {
            }
        }
    }

    private static ReadOnlySequence<byte> Bytes(string text) => new(Encoding.UTF8.GetBytes(text));
}
