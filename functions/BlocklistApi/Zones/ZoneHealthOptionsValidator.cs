using BlocklistApi.Hosting;
using BlocklistApi.Storage;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Zones;

/// <summary>Checks <see cref="ZoneHealthOptions"/> at start: its ranges and the table name.</summary>
public sealed class ZoneHealthOptionsValidator : SettingsValidator<ZoneHealthOptions, ZoneHealthOptionsRanges>
{
    protected override void AddRules(ZoneHealthOptions options, ValidateOptionsResultBuilder result)
    {
        if (!StorageNames.IsValidTableName(options.TableName))
        {
            result.AddError($"ZoneHealth:TableName '{options.TableName}' {StorageNames.TableNameRule}");
        }
    }
}
