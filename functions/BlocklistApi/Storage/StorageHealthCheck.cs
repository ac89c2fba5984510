using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Storage;

/// <summary>
/// Storage in /healthz: Degraded (still HTTP 200, so a load balancer keeps the instance, which answers in its
/// degraded modes) with what failed and since when, while storage is not answering.
/// </summary>
public sealed class StorageHealthCheck(StorageHealth health, IOptions<StorageOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = health.Status;
        // Which provider, and how many operations this instance ran (reads, writes): the benchmarks count with these.
        var data = new Dictionary<string, object>
        {
            ["provider"] = options.Value.Provider == StorageProvider.Sqlite ? "sqlite" : "azure",
            ["reads"] = status.Reads,
            ["writes"] = status.Writes,
        };
        if (status.Healthy)
        {
            return Task.FromResult(HealthCheckResult.Healthy("Storage answers.", data));
        }

        data["failingSince"] = status.FailingSince!.Value;
        return Task.FromResult(HealthCheckResult.Degraded(
            $"Storage is not answering: {status.LastError} Greylisting answers with its fail mode, reputation from DNS and the last hosted lists.",
            data: data));
    }
}
