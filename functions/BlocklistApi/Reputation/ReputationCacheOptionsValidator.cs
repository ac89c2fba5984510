using BlocklistApi.Hosting;
using BlocklistApi.Storage;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Reputation;

/// <summary>Checks <see cref="ReputationCacheOptions"/> at start: its ranges, floor below ceiling, the table name.</summary>
public sealed class ReputationCacheOptionsValidator : SettingsValidator<ReputationCacheOptions, ReputationCacheOptionsRanges>
{
    protected override void AddRules(ReputationCacheOptions options, ValidateOptionsResultBuilder result)
    {
        if (options.MaximumTtl < options.MinimumTtl)
        {
            result.AddError($"ReputationCache:MaximumTtl ({options.MaximumTtl}) must not be below ReputationCache:MinimumTtl ({options.MinimumTtl}).");
        }

        if (!StorageNames.IsValidTableName(options.TableName))
        {
            result.AddError($"ReputationCache:TableName '{options.TableName}' {StorageNames.TableNameRule}");
        }
    }
}
