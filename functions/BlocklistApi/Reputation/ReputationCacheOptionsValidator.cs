using BlocklistApi.Storage;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Reputation;

/// <summary>Checks <see cref="ReputationCacheOptions"/> at start.</summary>
public sealed class ReputationCacheOptionsValidator : IValidateOptions<ReputationCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, ReputationCacheOptions options)
    {
        var failures = new List<string>();
        if (options.MinimumTtl < TimeSpan.Zero)
        {
            failures.Add("ReputationCache:MinimumTtl must not be negative.");
        }

        if (options.MaximumTtl < options.MinimumTtl)
        {
            failures.Add($"ReputationCache:MaximumTtl ({options.MaximumTtl}) must not be below ReputationCache:MinimumTtl ({options.MinimumTtl}).");
        }

        if (options.MemoryTtl < TimeSpan.Zero)
        {
            failures.Add("ReputationCache:MemoryTtl must not be negative.");
        }

        if (options.MemoryMaxEntries < 0)
        {
            failures.Add("ReputationCache:MemoryMaxEntries must not be negative.");
        }

        if (!StorageNames.IsValidTableName(options.TableName))
        {
            failures.Add($"ReputationCache:TableName '{options.TableName}' {StorageNames.TableNameRule}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
