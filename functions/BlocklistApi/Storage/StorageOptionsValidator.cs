using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Storage;

/// <summary>Checks <see cref="StorageOptions"/> at start, including that the connection string parses.</summary>
public sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = new List<string>();
        if (!StorageNames.IsValidPrefix(options.NamePrefix))
        {
            failures.Add($"Storage:NamePrefix '{options.NamePrefix}' {StorageNames.PrefixRule}");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"Storage:Timeout must be more than 0 and at most 00:05:00 (it is {options.Timeout}).");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            failures.Add($"Storage:MaxRetries must be from 0 to 10 (it is {options.MaxRetries}).");
        }

        if (options.ConnectionString is { } connection)
        {
            try
            {
                _ = new TableServiceClient(connection);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                failures.Add($"{StorageOptions.ConnectionSettingName} is not a valid storage connection string ({ex.Message}). Use UseDevelopmentStorage=true for Azurite.");
            }
        }
        else if (options.TableServiceUri is null || options.QueueServiceUri is null)
        {
            failures.Add($"{StorageOptions.ConnectionSettingName}: set a connection string, or both {StorageOptions.ConnectionSettingName}__tableServiceUri and {StorageOptions.ConnectionSettingName}__queueServiceUri for an identity-based connection.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
