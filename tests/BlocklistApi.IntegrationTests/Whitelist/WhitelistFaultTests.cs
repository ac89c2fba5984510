using BlocklistApi.Client;
using BlocklistApi.Testing;

namespace BlocklistApi.IntegrationTests.Whitelist;

/// <summary>Mail that cannot be delivered is retried and then kept in the poison queue; storage trouble is a 503.</summary>
public sealed class WhitelistFaultTests
{
    [SkippableFact]
    public async Task Outbox_SmtpServerFailsEveryTime_RetriedInsideAndAcrossDequeuesThenPoisonedWithTheRequestRecorded()
    {
        await using var harness = await WhitelistHarness.StartAsync(
            new Dictionary<string, string?> { ["Email:RetryAttempts"] = "2", ["Queues:MaxDequeueCount"] = "3" },
            rejectWith: "451 4.3.0 Try again later");
        var token = WhitelistHarness.Bounded();

        var submitted = await harness.Client.SubmitWhitelistRequestAsync(WhitelistHarness.Submission(), token);

        var poison = harness.Queue("email-outbox-poison");
        while (!await poison.ExistsAsync(token) || (await poison.PeekMessagesAsync(10, token)).Value.Length == 0)
        {
            await Task.Delay(50, token);
        }

        // The message, whole, with the Message-ID it was queued with: an operator can requeue it.
        var poisoned = Assert.Single((await poison.PeekMessagesAsync(10, token)).Value);
        var message = poisoned.Body.ToObjectFromJson<Notifications.OutboxMessage>(System.Text.Json.JsonSerializerOptions.Web)!;
        Assert.Equal(WhitelistHarness.Requester, message.To.Single().Address);
        Assert.Contains(submitted.Id, message.Text, StringComparison.Ordinal);
        // 2 attempts inside each send, 3 dequeues: 6 deliveries that reached DATA.
        Assert.Equal(6, harness.Smtp.DataCommands);
        await harness.WaitUntilEmptyAsync("email-outbox", token);
        // The request was stored before its mail was queued, and is still there to be confirmed.
        Assert.Equal(WhitelistStatus.PendingConfirmation, (await harness.DetailsAsync(submitted.Id)).Status);
    }

    [SkippableFact]
    public async Task Routes_StorageFrozen_Answer503WithRetryAfter()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        await using var harness = await WhitelistHarness.StartAsync(new Dictionary<string, string?> { ["Storage:Timeout"] = "00:00:01" }, azurite: azurite);
        var token = WhitelistHarness.Bounded();
        harness.App.CreateClient().Dispose();

        azurite.Freeze();
        try
        {
            var submit = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => harness.Client.SubmitWhitelistRequestAsync(WhitelistHarness.Submission(), token));
            var list = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => harness.AdminClient.ListWhitelistRequestsAsync(cancellationToken: token));

            Assert.Equal(503, submit.StatusCode);
            Assert.True(submit.Headers.ContainsKey("Retry-After"));
            Assert.Equal(503, list.StatusCode);
        }
        finally
        {
            azurite.Thaw();
        }
    }
}
