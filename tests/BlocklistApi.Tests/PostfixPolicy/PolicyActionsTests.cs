using BlocklistApi.Client;
using BlocklistApi.PostfixPolicy;

namespace BlocklistApi.Tests.PostfixPolicy;

public sealed class PolicyActionsTests
{
    private const string DeferReply = "451 4.7.1 Greylisted: this is a temporary deferral, please retry after 300 seconds; see https://example.net/";
    private static readonly DateTimeOffset s_now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ForVerdict_Defer_IsDeferIfPermitWithTheReplyText()
    {
        var action = PolicyActions.ForVerdict(Verdict(GreylistAction.Defer, GreylistReason.New, DeferReply), new PolicyOptions(), "mx", s_now);

        Assert.Equal("action=DEFER_IF_PERMIT Greylisted: this is a temporary deferral, please retry after 300 seconds; see https://example.net/", action);
    }

    [Fact]
    public void ForVerdict_DeferWith451_IsTheCompleteReply()
    {
        var action = PolicyActions.ForVerdict(Verdict(GreylistAction.Defer, GreylistReason.TooEarly, DeferReply), new PolicyOptions { DeferAction = "451" }, "mx", s_now);

        Assert.Equal("action=" + DeferReply, action);
    }

    [Fact]
    public void ForVerdict_Reject_Is554WithThePage()
    {
        var action = PolicyActions.ForVerdict(Verdict(GreylistAction.Reject, GreylistReason.Blocklisted, "554 5.7.1 Rejected: the sending host is listed by bl.example; see https://example.net/"), new PolicyOptions(), "mx", s_now);

        Assert.Equal("action=554 5.7.1 Rejected: the sending host is listed by bl.example; see https://example.net/", action);
    }

    [Fact]
    public void ForVerdict_Accept_IsDunno()
    {
        Assert.Equal("action=DUNNO", PolicyActions.ForVerdict(Verdict(GreylistAction.Accept, GreylistReason.Passed, null), new PolicyOptions(), "mx", s_now));
    }

    [Fact]
    public void ForVerdict_AcceptWithPrependHeader_PrependsXGreylist()
    {
        var action = PolicyActions.ForVerdict(Verdict(GreylistAction.Accept, GreylistReason.Passed, null), new PolicyOptions { PrependHeader = true }, "mx1", s_now);

        Assert.Equal("action=PREPEND X-Greylist: passed by blocklist-api-policy at mx1; Sat, 28 Nov 2026 12:00:00 +0000", action);
    }

    [Fact]
    public void ForFailure_Modes_AreDunnoOrDeferIfPermit()
    {
        Assert.Equal("action=DUNNO", PolicyActions.ForFailure(PolicyFailMode.Dunno));
        Assert.StartsWith("action=DEFER_IF_PERMIT ", PolicyActions.ForFailure(PolicyFailMode.Tempfail), StringComparison.Ordinal);
    }

    [Fact]
    public void ForListing_OnOurBlockList_GivesReasonAndPageWithIp()
    {
        var report = new ReputationReport
        {
            Ip = "192.0.2.66",
            Verdict = BlocklistApi.Client.Verdict.Listed,
            Listings = [],
            LocalListing = new LocalListing { List = HostedListKind.Block, Range = "192.0.2.0/24", Reason = "Spam run\r\nsecond line" },
        };

        Assert.Equal("action=554 5.7.1 Service unavailable; client [192.0.2.66] is blocked: Spam run  second line; see https://example.net/?ip=192.0.2.66",
            PolicyActions.ForListing(report, new Uri("https://example.net/")));
    }

    [Theory]
    [InlineData("451 4.7.1 Greylisted", "Greylisted")]
    [InlineData("Greylisted without codes", "Greylisted without codes")]
    [InlineData(null, "fallback")]
    [InlineData("", "fallback")]
    public void ReplyText_StripsCodes(string? reply, string text)
    {
        Assert.Equal(text, PolicyActions.ReplyText(reply, "fallback"));
    }

    private static GreylistVerdict Verdict(GreylistAction action, GreylistReason reason, string? reply) =>
        new() { Action = action, Reason = reason, SmtpReply = reply };
}
