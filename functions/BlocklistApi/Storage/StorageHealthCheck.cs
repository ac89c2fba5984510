using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BlocklistApi.Storage;

/// <summary>
/// Storage in /healthz: Degraded (still HTTP 200, so a load balancer keeps the instance, which answers in its
/// degraded modes) with what failed and since when, while storage is not answering.
/// </summary>
public sealed class StorageHealthCheck(StorageHealth health) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = health.Status;
        return Task.FromResult(status.Healthy
            ? HealthCheckResult.Healthy("Storage answers.")
            : HealthCheckResult.Degraded(
                $"Storage is not answering: {status.LastError} Greylisting answers with its fail mode, reputation from DNS and the last hosted lists.",
                data: new Dictionary<string, object> { ["failingSince"] = status.FailingSince!.Value }));
    }
}
