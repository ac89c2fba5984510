using BlocklistApi.Storage;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Reputation;

/// <summary>The ranges on <see cref="ReputationCacheOptions"/>, checked by the options validation source generator.</summary>
[OptionsValidator]
internal sealed partial class ReputationCacheOptionsRanges : IValidateOptions<ReputationCacheOptions>;

/// <summary>Checks <see cref="ReputationCacheOptions"/> at start: its ranges, floor below ceiling, the table name.</summary>
public sealed class ReputationCacheOptionsValidator : IValidateOptions<ReputationCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, ReputationCacheOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        result.AddResult(new ReputationCacheOptionsRanges().Validate(name, options));
        if (options.MaximumTtl < options.MinimumTtl)
        {
            result.AddError($"ReputationCache:MaximumTtl ({options.MaximumTtl}) must not be below ReputationCache:MinimumTtl ({options.MinimumTtl}).");
        }

        if (!StorageNames.IsValidTableName(options.TableName))
        {
            result.AddError($"ReputationCache:TableName '{options.TableName}' {StorageNames.TableNameRule}");
        }

        return result.Build();
    }
}
