using BlocklistApi.Hosting;
using BlocklistApi.Storage;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Monitors;

/// <summary>Checks <see cref="MonitorOptions"/> at start: its ranges and the table name.</summary>
public sealed class MonitorOptionsValidator : SettingsValidator<MonitorOptions, MonitorOptionsRanges>
{
    protected override void AddRules(MonitorOptions options, ValidateOptionsResultBuilder result)
    {
        if (!StorageNames.IsValidTableName(options.TableName))
        {
            result.AddError($"Monitors:TableName '{options.TableName}' {StorageNames.TableNameRule}");
        }
    }
}
