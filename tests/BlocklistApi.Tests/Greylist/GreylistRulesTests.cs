using BlocklistApi.Dns;
using BlocklistApi.Greylist;
using BlocklistApi.Net;
using BlocklistApi.Reputation;

namespace BlocklistApi.Tests.Greylist;

public sealed class GreylistRulesTests
{
    private static readonly DateTimeOffset s_t0 = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private const string StoredETag = "W/\"1\"";
    private static readonly GreylistOptions s_options = new();

    private static Triplet Triplet(string address = "192.0.2.10") =>
        new(IpAddressParser.ParseOrNull(address)!, IpNetwork.Of(IpAddressParser.ParseOrNull(address)!, 24), "alice@example.com", "bob@example.net", "example.com", null);

    private static TripletRecord Pending(DateTimeOffset firstSeen) =>
        new(IpNetwork.FromText("192.0.2.0/24"), TripletState.Pending, firstSeen, firstSeen, null, StoredETag);

    private static TripletRecord Passed(DateTimeOffset firstSeen, DateTimeOffset lastSeen) =>
        new(IpNetwork.FromText("192.0.2.0/24"), TripletState.Passed, firstSeen, lastSeen, firstSeen + TimeSpan.FromMinutes(5), StoredETag);

    private static GreylistDecision Decide(TripletRecord? stored, DateTimeOffset now, ScreeningFacts? facts = null, GreylistOptions? options = null) =>
        GreylistRules.Decide(Triplet(), stored, facts ?? ScreeningFacts.None, options ?? s_options, "https://example.net/greylisting", now);

    [Fact]
    public void GreylistCheck_NewTriplet_DefersForTheDelayAndInserts()
    {
        var decision = Decide(null, s_t0);

        Assert.Equal(GreylistAction.Defer, decision.Verdict.Action);
        Assert.Equal(GreylistReason.New, decision.Verdict.Reason);
        Assert.Equal(300, decision.Verdict.RetryAfterSeconds);
        Assert.NotNull(decision.TripletWrite);
        Assert.Null(decision.TripletWrite!.IfMatch);
        Assert.Equal(TripletState.Pending, decision.TripletWrite.State);
        Assert.Equal(s_t0, decision.TripletWrite.FirstSeen);
    }

    [Fact]
    public void GreylistCheck_RetryBeforeDelay_DefersTooEarlyWithoutWrite()
    {
        var decision = Decide(Pending(s_t0), s_t0 + TimeSpan.FromSeconds(100));

        Assert.Equal(GreylistAction.Defer, decision.Verdict.Action);
        Assert.Equal(GreylistReason.TooEarly, decision.Verdict.Reason);
        Assert.Equal(200, decision.Verdict.RetryAfterSeconds);
        Assert.Null(decision.TripletWrite);
    }

    [Fact]
    public void GreylistCheck_SecondCheckWithinTheSameSecond_IsNewTooWithoutWrite()
    {
        var decision = Decide(Pending(s_t0), s_t0 + TimeSpan.FromMilliseconds(400));

        Assert.Equal(GreylistReason.New, decision.Verdict.Reason);
        Assert.Equal(300, decision.Verdict.RetryAfterSeconds);
        Assert.Null(decision.TripletWrite);
    }

    [Fact]
    public void GreylistCheck_KnownWithinTheSecondOfItsPass_SaysPassedWithoutCountingAgain()
    {
        var passedAt = s_t0 + TimeSpan.FromMinutes(5);
        var stored = Passed(s_t0, passedAt) with { PassedAt = passedAt };

        var decision = Decide(stored, passedAt + TimeSpan.FromMilliseconds(300));

        Assert.Equal(GreylistReason.Passed, decision.Verdict.Reason);
        Assert.Null(decision.ClientWrite);
        Assert.Null(decision.TripletWrite);
    }

    [Fact]
    public void GreylistCheck_RetryAfterDelay_PassesAndWritesWithETag()
    {
        var now = s_t0 + TimeSpan.FromMinutes(5);
        var decision = Decide(Pending(s_t0), now);

        Assert.Equal(GreylistAction.Accept, decision.Verdict.Action);
        Assert.Equal(GreylistReason.Passed, decision.Verdict.Reason);
        Assert.Null(decision.Verdict.SmtpReply);
        Assert.Equal(TripletState.Passed, decision.TripletWrite!.State);
        Assert.Equal(StoredETag, decision.TripletWrite.IfMatch);
        Assert.Equal(now, decision.TripletWrite.PassedAt);
    }

    [Fact]
    public void GreylistCheck_KnownWithinRefreshInterval_AcceptsWithoutWrite()
    {
        var decision = Decide(Passed(s_t0, s_t0 + TimeSpan.FromMinutes(5)), s_t0 + TimeSpan.FromHours(3));

        Assert.Equal(GreylistReason.Known, decision.Verdict.Reason);
        Assert.Null(decision.TripletWrite);
        Assert.Null(decision.ClientWrite);
    }

    [Fact]
    public void GreylistCheck_KnownAfterRefreshInterval_RefreshesLastSeenOnly()
    {
        var now = s_t0 + TimeSpan.FromDays(2);
        var decision = Decide(Passed(s_t0, s_t0 + TimeSpan.FromMinutes(5)), now);

        Assert.Equal(GreylistReason.Known, decision.Verdict.Reason);
        Assert.True(decision.TripletWrite!.IsRefreshOnly);
        Assert.Equal(now, decision.TripletWrite.LastSeen);
        Assert.Equal(s_t0, decision.TripletWrite.FirstSeen);
    }

    [Fact]
    public void GreylistCheck_FirstRetryAfterRetryWindow_StartsOverAsNew()
    {
        var now = s_t0 + TimeSpan.FromDays(2) + TimeSpan.FromSeconds(1);
        var decision = Decide(Pending(s_t0), now);

        Assert.Equal(GreylistReason.New, decision.Verdict.Reason);
        Assert.Equal(now, decision.TripletWrite!.FirstSeen);
        Assert.Equal(StoredETag, decision.TripletWrite.IfMatch);
    }

    [Fact]
    public void GreylistCheck_PassedTripletUnseenPastMaxAge_IsForgotten()
    {
        var lastSeen = s_t0 + TimeSpan.FromMinutes(5);
        var decision = Decide(Passed(s_t0, lastSeen), lastSeen + TimeSpan.FromDays(35) + TimeSpan.FromSeconds(1));

        Assert.Equal(GreylistReason.New, decision.Verdict.Reason);
        Assert.Equal(TripletState.Pending, decision.TripletWrite!.State);
    }

    [Fact]
    public void GreylistCheck_FirstSeenInTheFuture_StartsOver()
    {
        var decision = Decide(Pending(s_t0 + TimeSpan.FromHours(1)), s_t0);

        Assert.Equal(GreylistReason.New, decision.Verdict.Reason);
        Assert.Equal(s_t0, decision.TripletWrite!.FirstSeen);
    }

    [Fact]
    public void GreylistCheck_DeferReply_SaysSecondsTimeAndPage()
    {
        var reply = Decide(Pending(s_t0), s_t0 + TimeSpan.FromSeconds(60)).Verdict.SmtpReply!;

        Assert.StartsWith("451 4.7.1 ", reply, StringComparison.Ordinal);
        Assert.Contains("240 seconds", reply, StringComparison.Ordinal);
        Assert.Contains("2025-03-01 10:05:00 UTC", reply, StringComparison.Ordinal);
        Assert.EndsWith("see https://example.net/greylisting", reply, StringComparison.Ordinal);
        Assert.True(reply.Length < 510 && reply.All(c => c is >= ' ' and < '\x7f'));
    }

    [Fact]
    public void GreylistCheck_WhitelistedClient_AcceptsWithoutStoringATriplet()
    {
        var decision = Decide(null, s_t0, new ScreeningFacts { Screened = true, AllowListed = true });

        Assert.Equal(GreylistReason.Whitelisted, decision.Verdict.Reason);
        Assert.Null(decision.TripletWrite);
    }

    [Fact]
    public void GreylistCheck_AllowZoneVerdict_IsWhitelisted()
    {
        var facts = new ScreeningFacts { Screened = true, Reputation = new ReputationFacts(Verdict.Whitelisted, -1, []) };

        Assert.Equal(GreylistReason.Whitelisted, Decide(null, s_t0, facts).Verdict.Reason);
    }

    [Fact]
    public void GreylistCheck_ConfirmedNameOnClientWhitelist_IsWhitelisted()
    {
        var options = new GreylistOptions { WhitelistClients = ["example.com"] };
        var facts = new ScreeningFacts { Screened = true, ReverseDns = new ReverseDnsResult(ReverseDnsStatus.Confirmed, "mx.example.com", ["mx.example.com"], null) };

        Assert.Equal(GreylistReason.Whitelisted, Decide(null, s_t0, facts, options).Verdict.Reason);
    }

    [Fact]
    public void GreylistCheck_ListedAboveRejectScore_RejectsWith554()
    {
        var options = new GreylistOptions { BlocklistReject = true, BlocklistRejectScore = 1 };
        var facts = new ScreeningFacts { Screened = true, Reputation = new ReputationFacts(Verdict.Listed, 2, ["bl.test"]) };

        var decision = Decide(null, s_t0, facts, options);

        Assert.Equal(GreylistAction.Reject, decision.Verdict.Action);
        Assert.Equal(GreylistReason.Blocklisted, decision.Verdict.Reason);
        Assert.StartsWith("554 5.7.1 ", decision.Verdict.SmtpReply, StringComparison.Ordinal);
        Assert.Contains("bl.test", decision.Verdict.SmtpReply, StringComparison.Ordinal);
        Assert.Null(decision.TripletWrite);
    }

    [Fact]
    public void GreylistCheck_ListedAtRejectScore_IsGreylistedNotRejected()
    {
        var options = new GreylistOptions { BlocklistReject = true, BlocklistRejectScore = 1 };
        var facts = new ScreeningFacts { Screened = true, Reputation = new ReputationFacts(Verdict.Listed, 1, ["bl.test"]) };

        Assert.Equal(GreylistReason.New, Decide(null, s_t0, facts, options).Verdict.Reason);
    }

    [Fact]
    public void GreylistCheck_AutoWhitelistedClient_AcceptsAtOnce()
    {
        var client = new ClientRecord("192.0.2.10", 5, s_t0, s_t0, s_t0, StoredETag);

        var decision = Decide(null, s_t0 + TimeSpan.FromMinutes(1), new ScreeningFacts { Screened = true, Client = client });

        Assert.Equal(GreylistReason.AutoWhitelisted, decision.Verdict.Reason);
        Assert.Null(decision.TripletWrite);
        Assert.Null(decision.ClientWrite);
    }

    [Fact]
    public void GreylistCheck_AutoWhitelistOff_ClientWithManyPassesIsGreylisted()
    {
        var client = new ClientRecord("192.0.2.10", 50, s_t0, s_t0, s_t0, StoredETag);

        var decision = Decide(null, s_t0, new ScreeningFacts { Screened = true, Client = client }, new GreylistOptions { AutoWhitelistAfter = 0 });

        Assert.Equal(GreylistReason.New, decision.Verdict.Reason);
    }

    [Fact]
    public void CountPass_SecondPassWithinAnHour_DoesNotCount()
    {
        var client = new ClientRecord("192.0.2.10", 1, s_t0, s_t0, null, StoredETag);

        Assert.Null(GreylistRules.CountPass(client, s_options, s_t0 + TimeSpan.FromMinutes(59)));
        var counted = GreylistRules.CountPass(client, s_options, s_t0 + TimeSpan.FromHours(1));
        Assert.Equal(2, counted!.Passes);
        Assert.Equal(StoredETag, counted.IfMatch);
    }

    [Fact]
    public void CountPass_FifthCountedPass_ReachesThreshold()
    {
        var client = new ClientRecord("192.0.2.10", 4, s_t0, s_t0, null, StoredETag);

        var counted = GreylistRules.CountPass(client, s_options, s_t0 + TimeSpan.FromHours(2))!;

        Assert.True(counted.ReachesThreshold);
        Assert.Equal(5, counted.Passes);
        Assert.NotNull(counted.WhitelistedAt);
    }

    [Fact]
    public void GreylistCheck_PassOfNewClient_InsertsClientWithOnePass()
    {
        var decision = Decide(Pending(s_t0), s_t0 + TimeSpan.FromMinutes(6));

        Assert.Equal(1, decision.ClientWrite!.Passes);
        Assert.Null(decision.ClientWrite.IfMatch);
    }

    [Fact]
    public void GreylistCheck_SuspiciousModeConfirmedServerName_IsTrusted()
    {
        var options = new GreylistOptions { Mode = GreylistMode.Suspicious };
        var facts = new ScreeningFacts { Screened = true, ReverseDns = new ReverseDnsResult(ReverseDnsStatus.Confirmed, "mail.example.com", ["mail.example.com"], null) };

        Assert.Equal(GreylistReason.Trusted, Decide(null, s_t0, facts, options).Verdict.Reason);
    }

    [Fact]
    public void GreylistCheck_SuspiciousModeDynamicName_IsGreylisted()
    {
        var options = new GreylistOptions { Mode = GreylistMode.Suspicious };
        var facts = new ScreeningFacts { Screened = true, ReverseDns = new ReverseDnsResult(ReverseDnsStatus.Confirmed, "192-0-2-10.dsl.isp.example", ["192-0-2-10.dsl.isp.example"], null) };

        Assert.Equal(GreylistReason.New, Decide(null, s_t0, facts, options).Verdict.Reason);
    }

    [Fact]
    public void Degraded_DefaultFailMode_AcceptsAndSaysSo()
    {
        var verdict = GreylistRules.Degraded(s_options, s_t0, null);

        Assert.Equal(GreylistAction.Accept, verdict.Action);
        Assert.True(verdict.Degraded);
    }

    [Fact]
    public void Degraded_DeferFailMode_DefersWith451()
    {
        var verdict = GreylistRules.Degraded(new GreylistOptions { FailMode = GreylistFailMode.Defer }, s_t0, null);

        Assert.Equal(GreylistAction.Defer, verdict.Action);
        Assert.True(verdict.Degraded);
        Assert.StartsWith("451 ", verdict.SmtpReply, StringComparison.Ordinal);
    }

    [Fact]
    public void IsExpired_MatchesTheDecisionsStartOverRule()
    {
        Assert.False(GreylistRules.IsExpired(Pending(s_t0), s_options, s_t0 + TimeSpan.FromDays(2)));
        Assert.True(GreylistRules.IsExpired(Pending(s_t0), s_options, s_t0 + TimeSpan.FromDays(2) + TimeSpan.FromTicks(1)));
        Assert.False(GreylistRules.IsExpired(Passed(s_t0, s_t0), s_options, s_t0 + TimeSpan.FromDays(35)));
        Assert.True(GreylistRules.IsExpired(Passed(s_t0, s_t0), s_options, s_t0 + TimeSpan.FromDays(36)));
    }

    [Fact]
    public void SameClientCandidate_OtherNetworksRows_PrefersKnownThenEarliest()
    {
        var own = Triplet("198.51.100.7");
        TripletRecord[] pair =
        [
            Pending(s_t0 + TimeSpan.FromMinutes(1)) with { Network = IpNetwork.FromText("203.0.113.0/24") },
            Pending(s_t0) with { Network = IpNetwork.FromText("192.0.2.0/24") },
        ];

        var candidate = GreylistRules.SameClientCandidate(pair, own, s_options, s_t0 + TimeSpan.FromMinutes(6));
        var adopted = GreylistRules.Adopt(candidate!, own);
        var decision = GreylistRules.Decide(own, adopted, ScreeningFacts.None, s_options, null, s_t0 + TimeSpan.FromMinutes(6));

        Assert.Equal(IpNetwork.FromText("192.0.2.0/24"), candidate!.Network);
        Assert.Equal(GreylistReason.Passed, decision.Verdict.Reason);
        Assert.Null(decision.TripletWrite!.IfMatch);
    }

    // Boundaries: postgrey compares with '>' (max age, retry window) and '<' (delay); each instant below is exact.
    [Fact]
    public void GreylistCheck_RetryOneTickBeforeTheDelay_DefersTooEarlyForOneSecond()
    {
        var decision = Decide(Pending(s_t0), s_t0 + TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));

        Assert.Equal(GreylistAction.Defer, decision.Verdict.Action);
        Assert.Equal(GreylistReason.TooEarly, decision.Verdict.Reason);
        Assert.Equal(1, decision.Verdict.RetryAfterSeconds);
        Assert.Null(decision.TripletWrite);
    }

    [Fact]
    public void GreylistCheck_CheckAtTheInstantOfTheFirstAttempt_IsNewWithoutWrite()
    {
        var decision = Decide(Pending(s_t0), s_t0);

        Assert.Equal(GreylistReason.New, decision.Verdict.Reason);
        Assert.Equal(300, decision.Verdict.RetryAfterSeconds);
        Assert.Null(decision.TripletWrite);
    }

    [Fact]
    public void GreylistCheck_RetryExactlyOneSecondAfterTheFirstAttempt_IsTooEarly()
    {
        var decision = Decide(Pending(s_t0), s_t0 + GreylistRules.SameMoment);

        Assert.Equal(GreylistReason.TooEarly, decision.Verdict.Reason);
        Assert.Equal(299, decision.Verdict.RetryAfterSeconds);
        Assert.Null(decision.TripletWrite);
    }

    [Fact]
    public void GreylistCheck_FirstRetryExactlyAtTheRetryWindow_Passes()
    {
        var now = s_t0 + TimeSpan.FromDays(2);

        var decision = Decide(Pending(s_t0), now);

        Assert.Equal(GreylistReason.Passed, decision.Verdict.Reason);
        Assert.Equal(new TripletWrite(TripletState.Passed, s_t0, now, now, StoredETag), decision.TripletWrite);
    }

    [Fact]
    public void GreylistCheck_FirstRetryOneTickAfterTheRetryWindow_StartsOverAsNew()
    {
        var now = s_t0 + TimeSpan.FromDays(2) + TimeSpan.FromTicks(1);

        var decision = Decide(Pending(s_t0), now);

        Assert.Equal(GreylistReason.New, decision.Verdict.Reason);
        Assert.Equal(300, decision.Verdict.RetryAfterSeconds);
        Assert.Equal(new TripletWrite(TripletState.Pending, now, now, null, StoredETag), decision.TripletWrite);
    }

    [Fact]
    public void GreylistCheck_KnownUnseenExactlyMaxAge_IsStillKnownAndRefreshed()
    {
        var lastSeen = s_t0 + TimeSpan.FromMinutes(5);
        var now = lastSeen + TimeSpan.FromDays(35);

        var decision = Decide(Passed(s_t0, lastSeen), now);

        Assert.Equal(GreylistAction.Accept, decision.Verdict.Action);
        Assert.Equal(GreylistReason.Known, decision.Verdict.Reason);
        Assert.Equal(new TripletWrite(TripletState.Passed, s_t0, now, lastSeen, StoredETag) { IsRefreshOnly = true }, decision.TripletWrite);
    }

    [Fact]
    public void GreylistCheck_KnownUnseenOneTickPastMaxAge_StartsOverAsNew()
    {
        var lastSeen = s_t0 + TimeSpan.FromMinutes(5);
        var now = lastSeen + TimeSpan.FromDays(35) + TimeSpan.FromTicks(1);

        var decision = Decide(Passed(s_t0, lastSeen), now);

        Assert.Equal(GreylistReason.New, decision.Verdict.Reason);
        Assert.Equal(new TripletWrite(TripletState.Pending, now, now, null, StoredETag), decision.TripletWrite);
    }

    [Fact]
    public void GreylistCheck_KnownSeenExactlyARefreshIntervalAgo_RefreshesLastSeen()
    {
        var lastSeen = s_t0 + TimeSpan.FromMinutes(5);
        var now = lastSeen + TimeSpan.FromDays(1);

        var decision = Decide(Passed(s_t0, lastSeen), now);

        Assert.Equal(GreylistReason.Known, decision.Verdict.Reason);
        Assert.Equal(new TripletWrite(TripletState.Passed, s_t0, now, lastSeen, StoredETag) { IsRefreshOnly = true }, decision.TripletWrite);
    }

    [Fact]
    public void GreylistCheck_KnownSeenJustUnderARefreshIntervalAgo_WritesNothing()
    {
        var lastSeen = s_t0 + TimeSpan.FromMinutes(5);

        var decision = Decide(Passed(s_t0, lastSeen), lastSeen + TimeSpan.FromDays(1) - TimeSpan.FromTicks(1));

        Assert.Equal(GreylistReason.Known, decision.Verdict.Reason);
        Assert.Null(decision.TripletWrite);
    }

    [Fact]
    public void GreylistCheck_KnownStateAdoptedFromAnotherNetwork_InsertsThisNetworksRowAtOnce()
    {
        var lastSeen = s_t0 + TimeSpan.FromMinutes(5);
        var now = lastSeen + TimeSpan.FromMinutes(1);

        var decision = Decide(Passed(s_t0, lastSeen) with { ETag = null }, now);

        Assert.Equal(GreylistReason.Known, decision.Verdict.Reason);
        Assert.Equal(new TripletWrite(TripletState.Passed, s_t0, now, lastSeen, null) { IsRefreshOnly = false }, decision.TripletWrite);
    }

    [Fact]
    public void GreylistCheck_KnownExactlyOneSecondAfterItsPass_SaysKnown()
    {
        var passedAt = s_t0 + TimeSpan.FromMinutes(5);

        var decision = Decide(Passed(s_t0, passedAt), passedAt + GreylistRules.SameMoment);

        Assert.Equal(GreylistReason.Known, decision.Verdict.Reason);
    }

    [Fact]
    public void GreylistCheck_PassOfACountedClient_CountsThePassWithItsETag()
    {
        var now = s_t0 + TimeSpan.FromMinutes(5);
        var client = new ClientRecord("192.0.2.10", 2, s_t0 - TimeSpan.FromHours(2), s_t0 - TimeSpan.FromHours(2), null, StoredETag);

        var decision = Decide(Pending(s_t0), now, new ScreeningFacts { Client = client });

        Assert.Equal(GreylistReason.Passed, decision.Verdict.Reason);
        Assert.Equal(new ClientWrite(3, now, now, null, StoredETag), decision.ClientWrite);
    }

    [Fact]
    public void GreylistCheck_BlocklistRejectOff_ListedClientIsGreylisted()
    {
        var facts = new ScreeningFacts { Screened = true, Reputation = new ReputationFacts(Verdict.Listed, 5, ["bl.test"]) };

        var decision = Decide(null, s_t0, facts, new GreylistOptions { BlocklistReject = false });

        Assert.Equal(GreylistAction.Defer, decision.Verdict.Action);
        Assert.Equal(GreylistReason.New, decision.Verdict.Reason);
    }

    [Fact]
    public void GreylistCheck_SuspiciousModeWithoutReverseDns_IsGreylisted()
    {
        var facts = new ScreeningFacts { Screened = true, Reputation = new ReputationFacts(Verdict.Clean, 0, []) };

        var decision = Decide(null, s_t0, facts, new GreylistOptions { Mode = GreylistMode.Suspicious });

        Assert.Equal(GreylistReason.New, decision.Verdict.Reason);
    }

    [Fact]
    public void GreylistCheck_ClientOnePassShortOfTheThreshold_IsGreylisted()
    {
        var client = new ClientRecord("192.0.2.10", 4, s_t0, s_t0, null, StoredETag);

        var decision = Decide(null, s_t0 + TimeSpan.FromHours(2), new ScreeningFacts { Screened = true, Client = client });

        Assert.Equal(GreylistReason.New, decision.Verdict.Reason);
        Assert.Null(decision.ClientWrite);
    }

    // Auto-whitelist bookkeeping: an auto-whitelisted client is accepted without a triplet, so only this refresh keeps
    // its row from expiring after MaxAge.
    [Fact]
    public void GreylistCheck_AutoWhitelistedClientSeenARefreshIntervalAgo_RefreshesOnlyItsLastSeen()
    {
        var lastCounted = s_t0 - TimeSpan.FromDays(3);
        var whitelistedAt = s_t0 - TimeSpan.FromDays(10);
        var client = new ClientRecord("192.0.2.10", 7, lastCounted, s_t0, whitelistedAt, StoredETag);
        var now = s_t0 + TimeSpan.FromDays(1);

        var decision = Decide(null, now, new ScreeningFacts { Screened = true, Client = client });

        Assert.Equal(GreylistReason.AutoWhitelisted, decision.Verdict.Reason);
        Assert.Null(decision.TripletWrite);
        Assert.Equal(new ClientWrite(7, lastCounted, now, whitelistedAt, StoredETag) { IsRefreshOnly = true, ReachesThreshold = false }, decision.ClientWrite);
    }

    [Fact]
    public void GreylistCheck_AutoWhitelistedClientSeenJustUnderARefreshIntervalAgo_WritesNothing()
    {
        var client = new ClientRecord("192.0.2.10", 7, s_t0, s_t0, s_t0, StoredETag);

        var decision = Decide(null, s_t0 + TimeSpan.FromDays(1) - TimeSpan.FromTicks(1), new ScreeningFacts { Screened = true, Client = client });

        Assert.Equal(GreylistReason.AutoWhitelisted, decision.Verdict.Reason);
        Assert.Null(decision.ClientWrite);
    }

    [Fact]
    public void CountPass_AutoWhitelistOff_WritesNothing()
    {
        Assert.Null(GreylistRules.CountPass(null, new GreylistOptions { AutoWhitelistAfter = 0 }, s_t0));
    }

    [Fact]
    public void CountPass_FirstPassOfANewClient_InsertsOnePassNotYetWhitelisted()
    {
        var counted = GreylistRules.CountPass(null, s_options, s_t0);

        Assert.Equal(new ClientWrite(1, s_t0, s_t0, null, null) { ReachesThreshold = false }, counted);
    }

    [Fact]
    public void CountPass_FirstPassWithThresholdOne_WhitelistsAtOnce()
    {
        var counted = GreylistRules.CountPass(null, new GreylistOptions { AutoWhitelistAfter = 1 }, s_t0);

        Assert.Equal(new ClientWrite(1, s_t0, s_t0, s_t0, null) { ReachesThreshold = true }, counted);
    }

    [Fact]
    public void CountPass_FourthPass_DoesNotReachTheThresholdOfFive()
    {
        var client = new ClientRecord("192.0.2.10", 3, s_t0, s_t0, null, StoredETag);
        var now = s_t0 + TimeSpan.FromHours(2);

        Assert.Equal(new ClientWrite(4, now, now, null, StoredETag) { ReachesThreshold = false }, GreylistRules.CountPass(client, s_options, now));
    }

    [Fact]
    public void CountPass_FifthPass_SetsWhitelistedAtToNow()
    {
        var client = new ClientRecord("192.0.2.10", 4, s_t0, s_t0, null, StoredETag);
        var now = s_t0 + TimeSpan.FromHours(2);

        Assert.Equal(new ClientWrite(5, now, now, now, StoredETag) { ReachesThreshold = true }, GreylistRules.CountPass(client, s_options, now));
    }

    [Fact]
    public void CountPass_AlreadyWhitelistedClient_KeepsItsWhitelistedTimeAndDoesNotReachAgain()
    {
        var whitelistedAt = s_t0 - TimeSpan.FromDays(10);
        var client = new ClientRecord("192.0.2.10", 5, s_t0 - TimeSpan.FromHours(2), s_t0, whitelistedAt, StoredETag);

        var counted = GreylistRules.CountPass(client, s_options, s_t0);

        Assert.Equal(new ClientWrite(6, s_t0, s_t0, whitelistedAt, StoredETag) { ReachesThreshold = false }, counted);
    }

    [Fact]
    public void CountPass_AtTheInstantOfTheLastCount_DoesNotCount()
    {
        var client = new ClientRecord("192.0.2.10", 1, s_t0, s_t0, null, StoredETag);

        Assert.Null(GreylistRules.CountPass(client, s_options, s_t0));
    }

    [Fact]
    public void CountPass_LastCountInTheFuture_CountsAgain()
    {
        var client = new ClientRecord("192.0.2.10", 1, s_t0 + TimeSpan.FromMinutes(30), s_t0, null, StoredETag);

        Assert.Equal(new ClientWrite(2, s_t0, s_t0, null, StoredETag), GreylistRules.CountPass(client, s_options, s_t0));
    }

    [Fact]
    public void CountPass_ClientWithoutACountedPass_Counts()
    {
        var client = new ClientRecord("192.0.2.10", 0, null, s_t0, null, StoredETag);

        Assert.Equal(new ClientWrite(1, s_t0, s_t0, null, StoredETag), GreylistRules.CountPass(client, s_options, s_t0));
    }

    [Fact]
    public void IsExpired_ClientUnseenForMaxAge_ExpiresOneTickLater()
    {
        var client = new ClientRecord("192.0.2.10", 5, s_t0, s_t0, s_t0, StoredETag);

        Assert.False(GreylistRules.IsExpired(client, s_options, s_t0 + TimeSpan.FromDays(35)));
        Assert.True(GreylistRules.IsExpired(client, s_options, s_t0 + TimeSpan.FromDays(35) + TimeSpan.FromTicks(1)));
    }

    [Fact]
    public void Degraded_AcceptFailMode_AcceptsAsTrustedWithoutReply()
    {
        Assert.Equal(new GreylistVerdict(GreylistAction.Accept, GreylistReason.Trusted, 0, null, Degraded: true), GreylistRules.Degraded(s_options, s_t0, "https://example.net/greylisting"));
    }

    [Fact]
    public void Degraded_DeferFailMode_DefersAsNewForTheDelayWithThePage()
    {
        var verdict = GreylistRules.Degraded(new GreylistOptions { FailMode = GreylistFailMode.Defer }, s_t0, "https://example.net/greylisting");

        Assert.Equal(GreylistReason.New, verdict.Reason);
        Assert.Equal(300, verdict.RetryAfterSeconds);
        Assert.Equal(
            "451 4.7.1 Greylisted: this is a temporary deferral, please retry after 300 seconds (a retry at or after 2025-03-01 10:05:00 UTC will be accepted); see https://example.net/greylisting",
            verdict.SmtpReply);
    }

    // Replies.
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void DeferReply_WithoutPageUrl_EndsAfterTheRetryTime(string? pageUrl)
    {
        Assert.Equal(
            "451 4.7.1 Greylisted: this is a temporary deferral, please retry after 61 seconds (a retry at or after 2025-03-01 10:01:01 UTC will be accepted)",
            GreylistReplies.Defer(61, s_t0, pageUrl));
    }

    [Fact]
    public void DeferReply_ClockWithAnOffset_SaysTheRetryTimeInUtc()
    {
        var now = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.FromHours(2));

        Assert.Contains("(a retry at or after 2025-03-01 10:05:00 UTC will be accepted)", GreylistReplies.Defer(300, now, null), StringComparison.Ordinal);
    }

    [Fact]
    public void RejectReply_WithPageUrl_NamesTheZonesAndThePage()
    {
        Assert.Equal(
            "554 5.7.1 Rejected: the sending host is listed by bl.example, dnsbl.example; see https://example.net/greylisting",
            GreylistReplies.Reject(["bl.example", "dnsbl.example"], "https://example.net/greylisting"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void RejectReply_WithoutZonesOrPageUrl_SaysListedOnly(string? pageUrl)
    {
        Assert.Equal("554 5.7.1 Rejected: the sending host is listed", GreylistReplies.Reject([], pageUrl));
    }

    [Fact]
    public void GreylistCheck_ListedAboveRejectScore_ReplyNamesTheZonesAndThePage()
    {
        var options = new GreylistOptions { BlocklistReject = true };
        var facts = new ScreeningFacts { Screened = true, Reputation = new ReputationFacts(Verdict.Listed, 2, ["bl.test"]) };

        var verdict = Decide(null, s_t0, facts, options).Verdict;

        Assert.Equal(new GreylistVerdict(GreylistAction.Reject, GreylistReason.Blocklisted, 0, "554 5.7.1 Rejected: the sending host is listed by bl.test; see https://example.net/greylisting"), verdict);
    }

    // The SPF same-client choice.
    [Fact]
    public void SameClientCandidate_PassedRowAndEarlierPendingRow_PrefersThePassedRow()
    {
        var now = s_t0 + TimeSpan.FromHours(1);
        var passed = Passed(s_t0 + TimeSpan.FromMinutes(10), s_t0 + TimeSpan.FromMinutes(20)) with { Network = IpNetwork.FromText("203.0.113.0/24") };
        TripletRecord[] pair = [Pending(s_t0), passed];

        Assert.Same(passed, GreylistRules.SameClientCandidate(pair, Triplet("198.51.100.7"), s_options, now));
    }

    [Fact]
    public void SameClientCandidate_ExpiredSiblings_AreIgnored()
    {
        var now = s_t0 + TimeSpan.FromDays(40);
        TripletRecord[] pair =
        [
            Pending(now - TimeSpan.FromDays(2) - TimeSpan.FromTicks(1)),
            Passed(s_t0, now - TimeSpan.FromDays(35) - TimeSpan.FromTicks(1)) with { Network = IpNetwork.FromText("203.0.113.0/24") },
        ];

        Assert.Null(GreylistRules.SameClientCandidate(pair, Triplet("198.51.100.7"), s_options, now));
    }

    [Fact]
    public void SameClientCandidate_RowOfTheClientsOwnNetwork_IsIgnored()
    {
        TripletRecord[] pair = [Passed(s_t0, s_t0 + TimeSpan.FromMinutes(5))];

        Assert.Null(GreylistRules.SameClientCandidate(pair, Triplet("192.0.2.99"), s_options, s_t0 + TimeSpan.FromHours(1)));
    }

    [Fact]
    public void SameClientCandidate_NoRows_IsNull()
    {
        Assert.Null(GreylistRules.SameClientCandidate([], Triplet("198.51.100.7"), s_options, s_t0));
    }

    [Fact]
    public void SameClientCandidate_RowFirstSeenInTheFuture_IsIgnoredButOneFirstSeenNowCounts()
    {
        var future = Pending(s_t0 + TimeSpan.FromTicks(1));
        var current = Pending(s_t0) with { Network = IpNetwork.FromText("203.0.113.0/24") };

        Assert.Null(GreylistRules.SameClientCandidate([future], Triplet("198.51.100.7"), s_options, s_t0));
        Assert.Same(current, GreylistRules.SameClientCandidate([future, current], Triplet("198.51.100.7"), s_options, s_t0));
    }

    [Fact]
    public void Adopt_SiblingRow_BecomesAnInsertForThisClientsNetwork()
    {
        var sibling = Passed(s_t0, s_t0 + TimeSpan.FromMinutes(5));

        var adopted = GreylistRules.Adopt(sibling, Triplet("198.51.100.7"));

        Assert.Equal(sibling with { Network = IpNetwork.FromText("198.51.100.0/24"), ETag = null }, adopted);
    }
}
