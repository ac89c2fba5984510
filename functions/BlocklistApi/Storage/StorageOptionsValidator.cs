using Azure.Data.Tables;
using BlocklistApi.Hosting;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Storage;

/// <summary>Checks <see cref="StorageOptions"/> at start: its ranges, the name prefix, and that the connection parses.</summary>
public sealed class StorageOptionsValidator : SettingsValidator<StorageOptions, StorageOptionsRanges>
{
    protected override void AddRules(StorageOptions options, ValidateOptionsResultBuilder result)
    {
        if (!StorageNames.IsValidPrefix(options.NamePrefix))
        {
            result.AddError($"Storage:NamePrefix '{options.NamePrefix}' {StorageNames.PrefixRule}");
        }

        if (options.Provider == StorageProvider.Sqlite)
        {
            if (string.IsNullOrWhiteSpace(options.Sqlite.Path))
            {
                result.AddError("Storage:Sqlite:Path must name the database file (default data/blocklist.db).");
            }

            return;
        }

        if (options.ConnectionString is { } connection)
        {
            try
            {
                _ = new TableServiceClient(connection);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                result.AddError($"{StorageOptions.ConnectionSettingName} is not a valid storage connection string ({ex.Message}). Use UseDevelopmentStorage=true for Azurite.");
            }
        }
        else if (options.TableServiceUri is null || options.QueueServiceUri is null)
        {
            result.AddError($"{StorageOptions.ConnectionSettingName}: set a connection string, or both {StorageOptions.ConnectionSettingName}__tableServiceUri and {StorageOptions.ConnectionSettingName}__queueServiceUri for an identity-based connection.");
        }
    }
}
