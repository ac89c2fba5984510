using BlocklistApi.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace BlocklistApi.Greylist;

/// <summary>HTTP and timer functions for greylisting.</summary>
public sealed class GreylistFunctions(GreylistService greylist, GreylistPurge purge)
{
    /// <summary>The setting that holds the purge timer's NCRONTAB schedule (<c>Greylist__PurgeSchedule</c>).</summary>
    public const string PurgeScheduleSetting = "%Greylist:PurgeSchedule%";

    [Function(nameof(CheckGreylist))]
    public async Task<Results<Ok<GreylistVerdict>, ProblemHttpResult>> CheckGreylist(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v1/greylist/check")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var body = await RequestBodies.ReadJsonAsync<GreylistCheckRequest>(request, cancellationToken);
        if (body.Error is { } bodyError)
        {
            return Problems.From(bodyError);
        }

        var checkedTriplet = await greylist.CheckAsync(body.Value!, cancellationToken);
        return checkedTriplet.Error is { } error ? Problems.From(error) : TypedResults.Ok(checkedTriplet.Value!);
    }

    [Function(nameof(GetGreylistStats))]
    public async Task<Results<Ok<GreylistStats>, ProblemHttpResult>> GetGreylistStats(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "v1/greylist/stats")] HttpRequest request,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await greylist.GetStatsAsync(cancellationToken));

    /// <summary>Purges triplets older than Greylist:MaxAge (Table Storage has no TTL). Idempotent, so retried on failure.</summary>
    [Function(nameof(PurgeGreylist))]
    [FixedDelayRetry(3, "00:01:00")]
    public Task PurgeGreylist([TimerTrigger(PurgeScheduleSetting)] TimerInfo timer, CancellationToken cancellationToken) =>
        purge.PurgeAsync(cancellationToken);
}
