using System.Text.Json;
using BlocklistApi.Storage;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Zones;

/// <summary>
/// The ZoneStates table (through <see cref="ITableStorage"/>): one row per zone in one partition ("zone", the zone's
/// display name), so every instance reads all states with one partition query of a handful of rows. Writes use ETags:
/// two instances that judge a zone at once both count, one after the other.
/// </summary>
public sealed class ZoneStateStore(ITableStorage tables, IOptions<ZoneHealthOptions> options)
{
    private const string Partition = "zone";
    private readonly string _tableName = options.Value.TableName;

    public async Task<IReadOnlyList<ZoneHealthRecord>> ListAsync(CancellationToken cancellationToken) =>
        (await tables.QueryAsync(_tableName, new TableQuery(Partition), cancellationToken)).Select(ToRecord).ToList();

    public async Task<ZoneHealthRecord?> GetAsync(string zone, CancellationToken cancellationToken) =>
        await tables.GetAsync(_tableName, Partition, StorageNames.EscapeKey(zone), cancellationToken) is { } row ? ToRecord(row) : null;

    /// <summary>Writes <paramref name="record"/> if the stored row is still the one it was made from; null on a conflict.</summary>
    public async Task<ZoneHealthRecord?> WriteAsync(ZoneHealthRecord record, CancellationToken cancellationToken)
    {
        var row = new TableRow(Partition, StorageNames.EscapeKey(record.Zone))
        {
            ["State"] = record.State.ToString(),
            ["Reason"] = record.Reason,
            ["Since"] = record.Since,
            ["Failures"] = record.Failures,
            ["Passes"] = record.Passes,
            ["LastFailureAt"] = record.LastFailureAt,
            ["UpdatedAt"] = record.UpdatedAt,
            ["LastProbeAt"] = record.LastProbe?.At,
            ["LastProbePassed"] = record.LastProbe?.Passed,
            ["LastProbeDetail"] = record.LastProbe?.Detail,
            ["LastProbeLatencyMs"] = record.LastProbe?.LatencyMs,
            ["LastProbeCodes"] = record.LastProbe is { } probe ? JsonSerializer.Serialize(probe.Codes) : null,
        };
        var written = record.ETag is { } etag
            ? await tables.ReplaceAsync(_tableName, row, etag, cancellationToken)
            : await tables.InsertAsync(_tableName, row, cancellationToken);
        return written.Written ? record with { ETag = written.ETag } : null;
    }

    private static ZoneHealthRecord ToRecord(TableRow row)
    {
        var probe = row.GetDateTimeOffset("LastProbeAt") is { } at
            ? new ZoneProbe(
                at,
                row.GetBoolean("LastProbePassed") ?? false,
                row.GetString("LastProbeDetail") ?? "",
                row.GetDouble("LastProbeLatencyMs") ?? 0,
                row.GetString("LastProbeCodes") is { Length: > 0 } codes ? JsonSerializer.Deserialize<string[]>(codes) ?? [] : [])
            : null;
        return new ZoneHealthRecord(
            StorageNames.UnescapeKey(row.RowKey),
            Enum.TryParse<ZoneState>(row.GetString("State"), out var state) ? state : ZoneState.Enabled,
            row.GetString("Reason"),
            row.GetDateTimeOffset("Since"),
            row.GetInt32("Failures") ?? 0,
            row.GetInt32("Passes") ?? 0,
            row.GetDateTimeOffset("LastFailureAt"),
            probe,
            row.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue,
            row.ETag);
    }
}
