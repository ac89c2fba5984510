using BlocklistApi.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Reputation;

/// <summary>The timer that keeps the reputation cache warm and small.</summary>
public sealed class ReputationCacheFunctions(ReputationCacheRefresh refresh, TimerRuns runs, IOptions<ReputationCacheOptions> options)
{
    /// <summary>Refresh-ahead of answers read recently, and deletion of expired rows (ReputationCache__RefreshSchedule).</summary>
    [Function(nameof(RefreshReputationCache))]
    public Task RefreshReputationCache([TimerTrigger(ReputationCacheOptions.RefreshScheduleSetting)] TimerInfo timer, CancellationToken cancellationToken) =>
        runs.RunAsync(nameof(RefreshReputationCache), options.Value.RefreshRunTimeout, refresh.RunAsync, cancellationToken);
}
