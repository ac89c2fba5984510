using BlocklistApi.Diagnostics;

namespace BlocklistApi.Tests.Diagnostics;

public sealed class TtlRuleTests
{
    private const int TwelveHours = 43200;

    [Fact]
    public void Low_TtlJustBelowTheMinimum_IsLowAndTheMinimumItselfIsNot()
    {
        RecordTtl[] records = [new("example.com", "MX", TwelveHours), new("example.com", "NS", TwelveHours - 1), new("1.2.0.192.in-addr.arpa", "PTR", 86400)];

        var low = TtlRule.Low(records, TwelveHours);

        Assert.Equal("NS", Assert.Single(low).Type);
    }

    [Fact]
    public void Ttl_AllAtLeastTheMinimum_Passes()
    {
        var check = TtlRule.Evaluate([new("example.com", "MX", 86400), new("mail.example.com", "A", TwelveHours)], [], TwelveHours, senderGiven: true);

        Assert.Equal(CheckStatus.Pass, check.Status);
        Assert.Equal("ttl", check.Name);
        Assert.Null(check.Advice);
        Assert.Contains("12 h", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Ttl_SomeLow_WarnsNamingEachLowRecordAndTheTarget()
    {
        var check = TtlRule.Evaluate([new("example.com", "MX", 300), new("example.com", "NS", 3600), new("example.com", "A", 86400)], [], TwelveHours, senderGiven: true);

        Assert.Equal(CheckStatus.Warn, check.Status);
        Assert.Contains("example.com MX 300 s", check.Detail, StringComparison.Ordinal);
        Assert.Contains("example.com NS 3600 s", check.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("86400", check.Detail, StringComparison.Ordinal);
        Assert.Contains("43200 s", check.Advice, StringComparison.Ordinal);
        Assert.Equal(2, ((TtlData)check.Data!).Records.Count(r => r.Ttl < TwelveHours));
    }

    [Fact]
    public void Ttl_LookupFailedButNothingLow_IsError()
    {
        var check = TtlRule.Evaluate([new("example.com", "MX", 86400)], ["The DNS lookup of example.com NS timed out."], TwelveHours, senderGiven: true);

        Assert.Equal(CheckStatus.Error, check.Status);
        Assert.Contains("timed out", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Ttl_NothingToLookAt_SaysItDidNotRun()
    {
        var check = TtlRule.Evaluate([], [], TwelveHours, senderGiven: false);

        Assert.Equal(CheckStatus.Warn, check.Status);
        Assert.True(Assert.IsType<SkippedData>(check.Data).Skipped);
    }

    [Fact]
    public void Ttl_NoSender_PassesButSaysTheDomainWasNotChecked()
    {
        var check = TtlRule.Evaluate([new("1.2.0.192.in-addr.arpa", "PTR", 86400)], [], TwelveHours, senderGiven: false);

        Assert.Equal(CheckStatus.Pass, check.Status);
        Assert.Contains("Give the sender address", check.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(43200, "12 h")]
    [InlineData(300, "5 min")]
    [InlineData(90, "90 s")]
    [InlineData(0, "0 s")]
    public void Duration_WholeUnits_AreWrittenInTheLargest(int seconds, string expected)
    {
        Assert.Equal(expected, TtlRule.Duration(seconds));
    }
}
