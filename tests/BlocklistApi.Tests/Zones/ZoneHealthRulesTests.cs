using BlocklistApi.Dns;
using BlocklistApi.Net;
using BlocklistApi.Reputation;
using BlocklistApi.Zones;
using DnsClient;
using DnsClient.Protocol;

namespace BlocklistApi.Tests.Zones;

/// <summary>Zone health's rules: what a probe of the RFC 5782 test points says, and how results move a zone's state.</summary>
public sealed class ZoneHealthRulesTests
{
    private static readonly DnsblZone s_zone = new(new DnsblZoneOptions { Zone = "bl.example", Timeout = TimeSpan.FromSeconds(1.5) }, TimeSpan.FromSeconds(2), []);
    private static readonly ZoneHealthOptions s_options = new() { FailuresToDisable = 3, PassesToEnable = 2 };
    private static readonly DateTimeOffset s_now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Judge_ListsTestPointOnly_PassesAsAnIpv4Zone()
    {
        var probe = ZoneHealthRules.Judge(s_zone, new ProbeAnswers(Found("127.0.0.2"), NxDomain(), NxDomain(), NxDomain()), s_now, TimeSpan.FromMilliseconds(12.5));

        Assert.True(probe.Passed);
        Assert.Equal(["127.0.0.2"], probe.Codes);
        Assert.Equal(12.5, probe.LatencyMs);
        Assert.Equal(s_now, probe.At);
        Assert.Equal("127.0.0.2 listed (127.0.0.2), 127.0.0.1 not listed; ::FFFF:7F00:2 not listed (an IPv4 zone)", probe.Detail);
    }

    [Fact]
    public void Judge_Ipv6TestPointsToo_PassesWithBothCodes()
    {
        var probe = ZoneHealthRules.Judge(s_zone, new ProbeAnswers(Found("127.0.0.2"), NxDomain(), Found("127.0.0.4"), NxDomain()), s_now, TimeSpan.Zero);

        Assert.True(probe.Passed);
        Assert.Equal(["127.0.0.2", "127.0.0.4"], probe.Codes);
        Assert.EndsWith("::FFFF:7F00:2 listed (127.0.0.4), ::FFFF:7F00:1 not listed", probe.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_Lists127001_FailsAsAZoneThatListsEverything()
    {
        var probe = ZoneHealthRules.Judge(s_zone, new ProbeAnswers(Found("127.0.0.2"), Found("127.0.0.2"), NxDomain(), NxDomain()), s_now, TimeSpan.Zero);

        Assert.False(probe.Passed);
        Assert.StartsWith("It lists 127.0.0.1 (127.0.0.2), which no zone may list", probe.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_ListsIpv6UnlistedTestPoint_Fails()
    {
        var probe = ZoneHealthRules.Judge(s_zone, new ProbeAnswers(Found("127.0.0.2"), NxDomain(), NxDomain(), Found("127.0.0.2")), s_now, TimeSpan.Zero);

        Assert.False(probe.Passed);
        Assert.Contains("It lists ::FFFF:7F00:1", probe.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_TestPointNotListed_Fails()
    {
        var probe = ZoneHealthRules.Judge(s_zone, new ProbeAnswers(NxDomain(), NxDomain(), NxDomain(), NxDomain()), s_now, TimeSpan.Zero);

        Assert.False(probe.Passed);
        Assert.Equal("It does not list the test point 127.0.0.2 (RFC 5782 section 5): it is not answering as a blocklist.", probe.Detail);
        Assert.Empty(probe.Codes);
    }

    [Theory]
    [InlineData("127.255.255.254", "127.255.255.0/24")]
    [InlineData("10.0.0.1", "outside 127.0.0.0/8")]
    public void Judge_ErrorCodeForTestPoint_FailsSayingWhy(string answer, string expected)
    {
        var probe = ZoneHealthRules.Judge(s_zone, new ProbeAnswers(Found(answer), NxDomain(), NxDomain(), NxDomain()), s_now, TimeSpan.Zero);

        Assert.False(probe.Passed);
        Assert.StartsWith("127.0.0.2: ", probe.Detail, StringComparison.Ordinal);
        Assert.Contains(expected, probe.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_Silent_FailsWithTheTimeoutOfEachTestPoint()
    {
        var probe = ZoneHealthRules.Judge(s_zone, new ProbeAnswers(Failed(DnsLookupStatus.Timeout), Failed(DnsLookupStatus.Timeout), Failed(DnsLookupStatus.Timeout), Failed(DnsLookupStatus.Timeout)), s_now, TimeSpan.Zero);

        Assert.False(probe.Passed);
        Assert.Equal(
            "127.0.0.2: No answer within 1.5 s. 127.0.0.1: No answer within 1.5 s. ::FFFF:7F00:2: No answer within 1.5 s. ::FFFF:7F00:1: No answer within 1.5 s.",
            probe.Detail);
    }

    [Fact]
    public void Apply_BadResults_DegradedAtOnceAndDisabledAtTheThirdInARow()
    {
        var first = ZoneHealthRules.Apply(ZoneHealthRecord.New("bl.example"), Bad("one"), s_options, s_now);
        var second = ZoneHealthRules.Apply(first, Bad("two"), s_options, s_now.AddMinutes(2));
        var third = ZoneHealthRules.Apply(second, Bad("three"), s_options, s_now.AddMinutes(4));

        Assert.Equal((ZoneState.Degraded, "one", s_now, 1), (first.State, first.Reason, first.Since, first.Failures));
        Assert.Equal((ZoneState.Degraded, "one", s_now, 2), (second.State, second.Reason, second.Since, second.Failures));
        Assert.Equal(ZoneState.Disabled, third.State);
        Assert.Equal("3 bad results in a row, the last: three", third.Reason);
        Assert.Equal(s_now.AddMinutes(4), third.Since);
        Assert.Equal(s_now.AddMinutes(4), third.LastFailureAt);
    }

    [Fact]
    public void Apply_GoodProbeBetweenBadResults_StartsTheCountAgain()
    {
        var record = ZoneHealthRecord.New("bl.example");
        foreach (var check in new[] { Bad("a"), Bad("b"), Good(), Bad("c"), Bad("d") })
        {
            record = ZoneHealthRules.Apply(record, check, s_options, s_now);
        }

        Assert.Equal(ZoneState.Degraded, record.State);
        Assert.Equal(2, record.Failures);
    }

    [Fact]
    public void Apply_DisabledZone_EnabledAfterTwoGoodProbesInARow()
    {
        var disabled = ZoneHealthRecord.New("bl.example") with { State = ZoneState.Disabled, Failures = 5, Reason = "broken", Since = s_now };

        var once = ZoneHealthRules.Apply(disabled, Good(), s_options, s_now.AddMinutes(2));
        var twice = ZoneHealthRules.Apply(once, Good(), s_options, s_now.AddMinutes(4));

        Assert.Equal((ZoneState.Disabled, "broken", 0, 1), (once.State, once.Reason, once.Failures, once.Passes));
        Assert.Equal(ZoneState.Enabled, twice.State);
        Assert.Equal(s_now.AddMinutes(4), twice.Since);
        Assert.StartsWith("2 good probes in a row: ", twice.Reason, StringComparison.Ordinal);
        Assert.True(twice.LastProbe!.Passed);
    }

    [Fact]
    public void Apply_BadResultBetweenGoodProbes_KeepsTheZoneDisabled()
    {
        var record = ZoneHealthRecord.New("bl.example") with { State = ZoneState.Disabled, Failures = 3 };
        foreach (var check in new[] { Good(), Bad("again"), Good() })
        {
            record = ZoneHealthRules.Apply(record, check, s_options, s_now);
        }

        Assert.Equal(ZoneState.Disabled, record.State);
        Assert.Equal(1, record.Passes);
    }

    [Fact]
    public void Apply_BadAnswerOfARealQuery_KeepsTheLastProbe()
    {
        var probed = ZoneHealthRules.Apply(ZoneHealthRecord.New("bl.example"), Good(), s_options, s_now);

        var afterQuery = ZoneHealthRules.Apply(probed, ZoneCheck.BadAnswer("SERVFAIL"), s_options, s_now.AddSeconds(30));

        Assert.Equal(ZoneState.Degraded, afterQuery.State);
        Assert.Same(probed.LastProbe, afterQuery.LastProbe);
    }

    private static ZoneCheck Bad(string detail) => ZoneCheck.FromProbe(new ZoneProbe(s_now, false, detail, 1, []));

    private static ZoneCheck Good() => ZoneCheck.FromProbe(new ZoneProbe(s_now, true, "fine", 1, ["127.0.0.2"]));

    private static DnsLookup Found(string address) => new(
        "2.0.0.127.bl.example",
        QueryType.A,
        DnsLookupStatus.Found,
        [new ARecord(new ResourceRecordInfo("2.0.0.127.bl.example.", ResourceRecordType.A, QueryClass.IN, 300, 4), IpAddressParser.ParseOrNull(address)!)],
        null,
        DnsHeaderResponseCode.NoError,
        null);

    private static DnsLookup NxDomain() => new("1.0.0.127.bl.example", QueryType.A, DnsLookupStatus.NxDomain, [], null, DnsHeaderResponseCode.NotExistentDomain, null);

    private static DnsLookup Failed(DnsLookupStatus status) => new("1.0.0.127.bl.example", QueryType.A, status, [], null, null, "failed");
}
