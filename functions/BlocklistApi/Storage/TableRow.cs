using System.Globalization;

namespace BlocklistApi.Storage;

/// <summary>
/// One stored row: its keys, its properties and its version (<see cref="ETag"/>). Property values are strings,
/// 32- and 64-bit integers, doubles, booleans or <see cref="DateTimeOffset"/>s (both providers keep exactly these); a
/// null value is no property.
/// </summary>
public sealed class TableRow
{
    private readonly Dictionary<string, object> _properties = new(StringComparer.Ordinal);

    public TableRow(string partitionKey, string rowKey, string? etag = null)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
        ETag = etag;
    }

    public string PartitionKey { get; }

    public string RowKey { get; }

    /// <summary>The version the row had when read; null for a row not read from storage.</summary>
    public string? ETag { get; set; }

    public IReadOnlyDictionary<string, object> Properties => _properties;

    /// <summary>A property's value (null when absent); setting null removes it.</summary>
    public object? this[string name]
    {
        get => _properties.GetValueOrDefault(name);
        set
        {
            if (value is null)
            {
                _properties.Remove(name);
            }
            else if (value is string or int or long or double or bool or DateTimeOffset)
            {
                _properties[name] = value;
            }
            else
            {
                throw new ArgumentException($"Property {name}: a {value.GetType().Name} cannot be stored; use string, int, long, double, bool or DateTimeOffset.", nameof(value));
            }
        }
    }

    public string? GetString(string name) => this[name] switch
    {
        null => null,
        string text => text,
        var other => throw WrongType(name, other, "string"),
    };

    public int? GetInt32(string name) => this[name] switch
    {
        null => null,
        int value => value,
        long value when value is >= int.MinValue and <= int.MaxValue => (int)value,
        var other => throw WrongType(name, other, "int"),
    };

    public long? GetInt64(string name) => this[name] switch
    {
        null => null,
        long value => value,
        int value => value,
        var other => throw WrongType(name, other, "long"),
    };

    public double? GetDouble(string name) => this[name] switch
    {
        null => null,
        double value => value,
        int value => value,
        long value => value,
        var other => throw WrongType(name, other, "double"),
    };

    public bool? GetBoolean(string name) => this[name] switch
    {
        null => null,
        bool value => value,
        var other => throw WrongType(name, other, "bool"),
    };

    public DateTimeOffset? GetDateTimeOffset(string name) => this[name] switch
    {
        null => null,
        DateTimeOffset value => value,
        var other => throw WrongType(name, other, "DateTimeOffset"),
    };

    private InvalidOperationException WrongType(string name, object value, string wanted) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Property {name} of row ({PartitionKey}, {RowKey}) is a {value.GetType().Name}, not a {wanted}."));
}
