using BlocklistApi.Http;
using BlocklistApi.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace BlocklistApi.Whitelist;

/// <summary>
/// HTTP and queue functions for whitelist requests. The routes that the public page and mail links call are Anonymous
/// and rate limited; approve and deny take the link's token or an admin key, which the function checks itself (the
/// route must be Anonymous for the token to work, so in Azure the key is one of Auth__AdminKeys__N, not a host key).
/// </summary>
public sealed class WhitelistRequestFunctions(WhitelistService whitelist, WhitelistReview review, WhitelistDecisions decisions, ClientRateLimiter rateLimiter)
{
    private const string ItemRoute = "v1/whitelist-requests/{id}";

    [Function(nameof(SubmitWhitelistRequest))]
    public async Task<Results<Accepted<WhitelistRequestState>, ProblemHttpResult, RetryAfterProblemResult>> SubmitWhitelistRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/whitelist-requests")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (rateLimiter.Acquire(RateLimitPolicy.Api, request.HttpContext) is { } limited)
        {
            return limited;
        }

        var body = await RequestBodies.ReadJsonAsync<WhitelistRequestSubmission>(request, cancellationToken);
        var submitted = body.Error is null ? await whitelist.SubmitAsync(body.Value!, cancellationToken) : body.Error;
        return submitted.Error is { } error ? Problems.From(error) : TypedResults.Accepted(ItemPath(submitted.Value!.Id), submitted.Value);
    }

    [Function(nameof(ConfirmWhitelistRequest))]
    public async Task<Results<Ok<WhitelistRequestState>, ProblemHttpResult, RetryAfterProblemResult>> ConfirmWhitelistRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ItemRoute + "/confirm")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (rateLimiter.Acquire(RateLimitPolicy.Api, request.HttpContext) is { } limited)
        {
            return limited;
        }

        var body = await RequestBodies.ReadJsonAsync<WhitelistConfirmation>(request, cancellationToken);
        var confirmed = body.Error is null ? await whitelist.ConfirmAsync(id, body.Value!, cancellationToken) : body.Error;
        return confirmed.Error is { } error ? Problems.From(error) : TypedResults.Ok(confirmed.Value);
    }

    [Function(nameof(ApproveWhitelistRequest))]
    public Task<Results<Accepted<WhitelistRequestState>, ProblemHttpResult, RetryAfterProblemResult>> ApproveWhitelistRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ItemRoute + "/approve")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        DecideAsync(request, id, WhitelistDecision.Approve, cancellationToken);

    [Function(nameof(DenyWhitelistRequest))]
    public Task<Results<Accepted<WhitelistRequestState>, ProblemHttpResult, RetryAfterProblemResult>> DenyWhitelistRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ItemRoute + "/deny")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        DecideAsync(request, id, WhitelistDecision.Deny, cancellationToken);

    [Function(nameof(GetWhitelistRequest))]
    public async Task<Results<Ok<WhitelistRequestState>, ProblemHttpResult, RetryAfterProblemResult>> GetWhitelistRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ItemRoute)] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (rateLimiter.Acquire(RateLimitPolicy.Api, request.HttpContext) is { } limited)
        {
            return limited;
        }

        var state = await whitelist.GetStateAsync(id, request.Query["token"], PresentedKey(request), cancellationToken);
        return state.Error is { } error ? Problems.From(error) : TypedResults.Ok(state.Value);
    }

    [Function(nameof(ListWhitelistRequests))]
    public async Task<Results<Ok<WhitelistRequestPage>, ProblemHttpResult>> ListWhitelistRequests(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "v1/whitelist-requests")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var page = await whitelist.ListAsync(request.Query["status"], request.Query["cursor"], request.Query["limit"], cancellationToken);
        return page.Error is { } error ? Problems.From(error) : TypedResults.Ok(page.Value);
    }

    /// <summary>Takes a confirmed request: diagnostics snapshot, then the admins' mail. Idempotent.</summary>
    [Function(nameof(ReviewWhitelistRequest))]
    public Task ReviewWhitelistRequest([QueueTrigger(WhitelistService.ReviewQueue)] WhitelistReviewMessage message, CancellationToken cancellationToken) =>
        review.ReviewAsync(message, cancellationToken);

    /// <summary>Applies a recorded decision: the scoped allow entry, the status, the requester's mail. Idempotent.</summary>
    [Function(nameof(ApplyWhitelistDecision))]
    public Task ApplyWhitelistDecision([QueueTrigger(WhitelistService.DecisionQueue)] WhitelistDecisionMessage message, CancellationToken cancellationToken) =>
        decisions.ApplyAsync(message, cancellationToken);

    private async Task<Results<Accepted<WhitelistRequestState>, ProblemHttpResult, RetryAfterProblemResult>> DecideAsync(HttpRequest request, string id, WhitelistDecision decision, CancellationToken cancellationToken)
    {
        if (rateLimiter.Acquire(RateLimitPolicy.Api, request.HttpContext) is { } limited)
        {
            return limited;
        }

        var body = await RequestBodies.ReadJsonAsync<WhitelistDecisionRequest>(request, cancellationToken);
        var decided = body.Error is null ? await whitelist.DecideAsync(id, decision, body.Value!, PresentedKey(request), cancellationToken) : body.Error;
        return decided.Error is { } error ? Problems.From(error) : TypedResults.Accepted(ItemPath(id), decided.Value);
    }

    private static string ItemPath(string id) => "/v1/whitelist-requests/" + Uri.EscapeDataString(id);

    // The same places the Functions host reads a key from.
    private static string? PresentedKey(HttpRequest request) =>
        request.Headers.TryGetValue("x-functions-key", out var header) && header.Count > 0 ? header[0] : request.Query["code"].FirstOrDefault();
}
