using BlocklistApi.Hosting;
using BlocklistApi.Storage;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Reputation;

/// <summary>Checks <see cref="ReputationCacheOptions"/> at start: its ranges, floor below ceiling, reads flushed before refresh-ahead, the table name.</summary>
public sealed class ReputationCacheOptionsValidator : SettingsValidator<ReputationCacheOptions, ReputationCacheOptionsRanges>
{
    protected override void AddRules(ReputationCacheOptions options, ValidateOptionsResultBuilder result)
    {
        if (options.MaximumTtl < options.MinimumTtl)
        {
            result.AddError($"ReputationCache:MaximumTtl ({options.MaximumTtl}) must not be below ReputationCache:MinimumTtl ({options.MinimumTtl}).");
        }

        if (options.ReadFlushInterval >= options.RefreshAhead)
        {
            result.AddError($"ReputationCache:ReadFlushInterval ({options.ReadFlushInterval}) must be shorter than ReputationCache:RefreshAhead ({options.RefreshAhead}), or reads would be known only after their answers expired.");
        }

        if (!StorageNames.IsValidTableName(options.TableName))
        {
            result.AddError($"ReputationCache:TableName '{options.TableName}' {StorageNames.TableNameRule}");
        }
    }
}
