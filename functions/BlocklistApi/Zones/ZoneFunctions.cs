using BlocklistApi.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Zones;

/// <summary>The zones API and the zone health timer.</summary>
public sealed class ZoneFunctions(ZoneHealthService health, TimerRuns runs, IOptions<ZoneHealthOptions> options)
{
    [Function(nameof(GetZones))]
    public async Task<Results<Ok<ZoneReports>, ProblemHttpResult>> GetZones(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "v1/zones")] HttpRequest request,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await health.ReportAsync(cancellationToken));

    /// <summary>Probes every zone's RFC 5782 test points and moves its state (ZoneHealth__Schedule).</summary>
    [Function(nameof(CheckZoneHealth))]
    public Task CheckZoneHealth([TimerTrigger(ZoneHealthOptions.ScheduleSetting)] TimerInfo timer, CancellationToken cancellationToken) =>
        runs.RunAsync(nameof(CheckZoneHealth), options.Value.RunTimeout, health.ProbeAllAsync, cancellationToken);
}
