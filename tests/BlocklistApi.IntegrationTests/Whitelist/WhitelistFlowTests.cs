using System.Diagnostics;
using System.Net;
using BlocklistApi.Client;
using Xunit.Abstractions;

namespace BlocklistApi.IntegrationTests.Whitelist;

/// <summary>
/// The whole whitelist flow through the self-host, with a real SMTP server on loopback: submit, the confirmation mail,
/// confirm, the admin mail with its links, approve through the link's token, the requester's mail; then the greylist
/// check and reputation say whitelisted for that recipient, and not for another.
/// </summary>
public sealed class WhitelistFlowTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Whitelist_SubmitConfirmApproveByLink_WhitelistsThatRecipientOnly()
    {
        await using var harness = await WhitelistHarness.StartAsync();
        var token = WhitelistHarness.Bounded();
        const string Recipient = "bob@customer.test";
        const string Other = "carol@customer.test";
        var clock = Stopwatch.StartNew();

        var submitted = await harness.Client.SubmitWhitelistRequestAsync(WhitelistHarness.Submission(Recipient), token);
        Assert.Equal(WhitelistStatus.PendingConfirmation, submitted.Status);

        // The confirmation mail: to the requester, with the headers every notification has.
        var confirmation = await harness.WaitForMailAsync(WhitelistHarness.Requester, "Confirm your whitelist request", token);
        Assert.Equal("Alice Sender", confirmation.To.Mailboxes.Single().Name);
        Assert.Equal("blocklist@blocklist.test", confirmation.From.Mailboxes.Single().Address);
        Assert.EndsWith("@blocklist.test", confirmation.MessageId, StringComparison.Ordinal);
        Assert.NotEqual(default, confirmation.Date);
        Assert.Equal("auto-generated", confirmation.Headers["Auto-Submitted"]);
        Assert.Contains(WhitelistHarness.RangeText, confirmation.TextBody, StringComparison.Ordinal);
        Assert.Contains(WhitelistHarness.RangeText, confirmation.HtmlBody, StringComparison.Ordinal);
        var confirm = WhitelistHarness.Link(confirmation, "confirm");
        Assert.Equal(submitted.Id, confirm.Id);
        var status = WhitelistHarness.Link(confirmation, "status");
        Assert.Equal(WhitelistStatus.PendingConfirmation, (await harness.Client.GetWhitelistRequestAsync(status.Id, status.Token, token)).Status);

        var confirmed = await harness.Client.ConfirmWhitelistRequestAsync(confirm.Id, new WhitelistConfirmation { Token = confirm.Token }, token);
        Assert.Equal(WhitelistStatus.Pending, confirmed.Status);

        // The admin mail: the request, the diagnostics snapshot (rDNS, the listing with its code and removal page), two links.
        var review = await harness.WaitForMailAsync(WhitelistHarness.Admin, "Whitelist request " + submitted.Id, token);
        var submitToAdminMail = clock.Elapsed;
        Assert.Contains($"{WhitelistHarness.RangeText} to {Recipient}", review.Subject, StringComparison.Ordinal);
        Assert.Contains("Alice Sender <postmaster@sender.test>", review.TextBody, StringComparison.Ordinal);
        Assert.Contains($"rdns: pass. {WhitelistHarness.Ip} has the PTR name {WhitelistHarness.Host}", review.TextBody, StringComparison.Ordinal);
        Assert.Contains("Listed by bl.test: 127.0.0.2", review.TextBody, StringComparison.Ordinal);
        Assert.Contains("https://bl.test/lookup?ip=81.2.69.161", review.TextBody, StringComparison.Ordinal);
        var approve = WhitelistHarness.Link(review, "approve");
        Assert.Equal(submitted.Id, WhitelistHarness.Link(review, "deny").Id);

        // Before the decision: listed, and greylisted, for everyone.
        var greylistBefore = await harness.FunctionClient.CheckGreylistAsync(new GreylistCheckRequest { ClientAddress = WhitelistHarness.Ip, Sender = "alice@sender.test", Recipient = Recipient }, token);
        Assert.Equal(GreylistAction.Defer, greylistBefore.Action);
        Assert.Equal(Verdict.Listed, (await harness.FunctionClient.GetReputationAsync(WhitelistHarness.Ip, Recipient, "alice@sender.test", token)).Verdict);

        var approved = await harness.Client.ApproveWhitelistRequestAsync(approve.Id, new WhitelistDecisionRequest { Token = approve.Token }, token);
        Assert.Equal(WhitelistStatus.Pending, approved.Status);
        var decided = await harness.WaitForMailAsync(WhitelistHarness.Requester, "was approved", token);
        Assert.Contains($"Mail from {WhitelistHarness.RangeText} to {Recipient} is now accepted", decided.TextBody, StringComparison.Ordinal);

        // That recipient: whitelisted by reputation and by the greylist check (the same triplet that was deferred).
        var forRecipient = await harness.FunctionClient.GetReputationAsync(WhitelistHarness.Ip, Recipient, "alice@sender.test", token);
        Assert.Equal(Verdict.Whitelisted, forRecipient.Verdict);
        Assert.Equal(HostedListKind.Allow, forRecipient.LocalListing!.List);
        Assert.Equal(WhitelistHarness.RangeText, forRecipient.LocalListing.Range);
        var greylistAfter = await harness.FunctionClient.CheckGreylistAsync(new GreylistCheckRequest { ClientAddress = WhitelistHarness.Ip, Sender = "alice@sender.test", Recipient = Recipient }, token);
        Assert.Equal(GreylistAction.Accept, greylistAfter.Action);
        Assert.Equal(GreylistReason.Whitelisted, greylistAfter.Reason);

        // Another recipient, or no recipient at all: nothing changed.
        Assert.Equal(Verdict.Listed, (await harness.FunctionClient.GetReputationAsync(WhitelistHarness.Ip, Other, "alice@sender.test", token)).Verdict);
        Assert.Equal(Verdict.Listed, (await harness.FunctionClient.GetReputationAsync(WhitelistHarness.Ip, token)).Verdict);
        var greylistOther = await harness.FunctionClient.CheckGreylistAsync(new GreylistCheckRequest { ClientAddress = WhitelistHarness.Ip, Sender = "alice@sender.test", Recipient = Other }, token);
        Assert.Equal(GreylistAction.Defer, greylistOther.Action);
        Assert.Equal(GreylistReason.New, greylistOther.Reason);

        // The record: status, entry, snapshot, and every change with who and when.
        var details = await harness.DetailsAsync(submitted.Id);
        Assert.Equal(WhitelistStatus.Approved, details.Status);
        Assert.Equal(WhitelistScope.Recipient, details.Entry!.Scope);
        Assert.Equal(Recipient, details.Entry.Recipient);
        Assert.Null(details.Entry.ExpiresAt);
        Assert.Contains(details.Snapshot!.Listings, l => l.Zone == "bl.test" && l.Listed && l.Codes.Contains("127.0.0.2"));
        Assert.Equal(
            ["submitted by requester", "confirmed by link", "reviewed by queue", "approve-requested by link", "approved by link"],
            details.History.Select(h => $"{h.Action} by {h.By}"));
        Assert.Equal(WhitelistStatus.Approved, (await harness.Client.GetWhitelistRequestAsync(status.Id, status.Token, token)).Status);

        // 5 queue messages in all with one admin: confirmation mail, review, admin mail, decision, requester's mail.
        Assert.Equal(3, harness.Messages().Count);
        output.WriteLine($"Submit to admin mail (confirmed at once, test machine): {submitToAdminMail.TotalMilliseconds:0} ms");
    }

    [SkippableFact]
    public async Task Whitelist_DenyByAdminKeyWithNote_MailsTheRequesterAndWhitelistsNothing()
    {
        await using var harness = await WhitelistHarness.StartAsync();
        var token = WhitelistHarness.Bounded();
        var submitted = await harness.Client.SubmitWhitelistRequestAsync(WhitelistHarness.Submission(), token);
        var confirm = WhitelistHarness.Link(await harness.WaitForMailAsync(WhitelistHarness.Requester, "Confirm", token), "confirm");
        await harness.Client.ConfirmWhitelistRequestAsync(confirm.Id, new WhitelistConfirmation { Token = confirm.Token }, token);
        await harness.WaitForMailAsync(WhitelistHarness.Admin, submitted.Id, token);

        await harness.AdminClient.DenyWhitelistRequestAsync(submitted.Id, new WhitelistDecisionRequest { Note = "Please fix your reverse DNS <first>." }, token);

        var denied = await harness.WaitForMailAsync(WhitelistHarness.Requester, "was denied", token);
        Assert.Contains("Note from our postmaster: Please fix your reverse DNS <first>.", denied.TextBody, StringComparison.Ordinal);
        Assert.Contains("Please fix your reverse DNS &lt;first&gt;.", denied.HtmlBody, StringComparison.Ordinal);
        var details = await harness.DetailsAsync(submitted.Id);
        Assert.Equal(WhitelistStatus.Denied, details.Status);
        Assert.Null(details.Entry);
        Assert.Equal(["deny-requested by admin-key-0", "denied by admin-key-0"], details.History.Skip(3).Select(h => $"{h.Action} by {h.By}"));
        Assert.Equal(Verdict.Listed, (await harness.FunctionClient.GetReputationAsync(WhitelistHarness.Ip, "bob@customer.test", null, token)).Verdict);
    }

    [SkippableFact]
    public async Task Whitelist_ApproveForTheDomainWithExpiry_CountsForEveryAddressThereUntilThen()
    {
        await using var harness = await WhitelistHarness.StartAsync();
        var token = WhitelistHarness.Bounded();
        var submitted = await harness.Client.SubmitWhitelistRequestAsync(WhitelistHarness.Submission(), token);
        var confirm = WhitelistHarness.Link(await harness.WaitForMailAsync(WhitelistHarness.Requester, "Confirm", token), "confirm");
        await harness.Client.ConfirmWhitelistRequestAsync(confirm.Id, new WhitelistConfirmation { Token = confirm.Token }, token);
        var approve = WhitelistHarness.Link(await harness.WaitForMailAsync(WhitelistHarness.Admin, submitted.Id, token), "approve");
        var until = new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero);

        await harness.Client.ApproveWhitelistRequestAsync(approve.Id, new WhitelistDecisionRequest { Token = approve.Token, Scope = WhitelistScope.Domain, ExpiresAt = until }, token);

        var mail = await harness.WaitForMailAsync(WhitelistHarness.Requester, "was approved", token);
        Assert.Contains("to every address at customer.test is now accepted", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("until 2099-01-01 00:00 UTC", mail.TextBody, StringComparison.Ordinal);
        var report = await harness.FunctionClient.GetReputationAsync(WhitelistHarness.Ip, "dave@customer.test", null, token);
        Assert.Equal(Verdict.Whitelisted, report.Verdict);
        Assert.Equal(until, report.LocalListing!.ExpiresAt);
        Assert.Equal(Verdict.Listed, (await harness.FunctionClient.GetReputationAsync(WhitelistHarness.Ip, "dave@elsewhere.test", null, token)).Verdict);
        // Sent by another domain than the request's: the entry does not count.
        Assert.Equal(Verdict.Listed, (await harness.FunctionClient.GetReputationAsync(WhitelistHarness.Ip, "dave@customer.test", "spoof@other.test", token)).Verdict);
        Assert.Equal(WhitelistScope.Domain, (await harness.DetailsAsync(submitted.Id)).Entry!.Scope);
    }

    [SkippableFact]
    public async Task Whitelist_PickupTransport_WritesEachMessageAsAnEmlFile()
    {
        var pickup = Directory.CreateTempSubdirectory("whitelist-pickup-").FullName;
        try
        {
            await using var harness = await WhitelistHarness.StartAsync(new Dictionary<string, string?> { ["Email:Transport"] = "pickup", ["Email:PickupDirectory"] = pickup });
            var token = WhitelistHarness.Bounded();

            var submitted = await harness.Client.SubmitWhitelistRequestAsync(WhitelistHarness.Submission(), token);

            while (Directory.GetFiles(pickup, "*.eml").Length == 0)
            {
                await Task.Delay(50, token);
            }

            var message = await MimeKit.MimeMessage.LoadAsync(Assert.Single(Directory.GetFiles(pickup, "*.eml")), token);
            Assert.Equal(WhitelistHarness.Requester, message.To.Mailboxes.Single().Address);
            Assert.Contains(submitted.Id, message.TextBody, StringComparison.Ordinal);
            Assert.Equal("auto-generated", message.Headers["Auto-Submitted"]);
            Assert.Empty(harness.Messages());
        }
        finally
        {
            Directory.Delete(pickup, recursive: true);
        }
    }

    [SkippableFact]
    public async Task Whitelist_StatusOfAnUnknownRequest_Is404()
    {
        await using var harness = await WhitelistHarness.StartAsync();

        var error = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() =>
            harness.AdminClient.GetWhitelistRequestAsync("20261128120000-aaaaaaaaaa", null, WhitelistHarness.Bounded()));

        Assert.Equal((int)HttpStatusCode.NotFound, error.StatusCode);
    }
}
