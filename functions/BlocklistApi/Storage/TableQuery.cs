namespace BlocklistApi.Storage;

/// <summary>
/// A query: one partition (or, rarely, the whole table), optionally a row-key range and a filter on properties.
/// Rows come back in (PartitionKey, RowKey) order.
/// </summary>
/// <param name="PartitionKey">The partition, or null for every partition (a scan: keep it for timers and admin pages).</param>
public sealed record TableQuery(string? PartitionKey)
{
    /// <summary>The lowest row key returned (inclusive).</summary>
    public string? RowKeyFrom { get; init; }

    /// <summary>Row keys below this one only (exclusive).</summary>
    public string? RowKeyBefore { get; init; }

    /// <summary>Only rows whose properties satisfy this.</summary>
    public TableFilter? Filter { get; init; }

    /// <summary>At most this many rows.</summary>
    public int? Take { get; init; }

    /// <summary>Every row whose key starts with <paramref name="prefix"/>, in one partition.</summary>
    public static TableQuery RowKeyPrefix(string partitionKey, string prefix) => new(partitionKey)
    {
        RowKeyFrom = prefix,
        RowKeyBefore = prefix[..^1] + (char)(prefix[^1] + 1),
    };
}

/// <summary>How a property is compared in a <see cref="TableFilter"/>.</summary>
public enum TableComparison
{
    Equal,
    NotEqual,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
}

/// <summary>
/// A condition on row properties that both providers can evaluate where the rows are (OData in Table Storage, SQL in
/// SQLite): comparisons of a property with a constant, joined by and/or. A row without the property, or with a value
/// of another type than the constant's, never matches.
/// </summary>
public abstract record TableFilter
{
    public static TableFilter Compare(string property, TableComparison comparison, object value) => new Comparison(property, comparison, value);

    public static TableFilter Equal(string property, object value) => Compare(property, TableComparison.Equal, value);

    public static TableFilter LessThan(string property, object value) => Compare(property, TableComparison.LessThan, value);

    public static TableFilter GreaterThanOrEqual(string property, object value) => Compare(property, TableComparison.GreaterThanOrEqual, value);

    public static TableFilter operator &(TableFilter left, TableFilter right) => new All(left, right);

    public static TableFilter operator |(TableFilter left, TableFilter right) => new Any(left, right);

    public TableFilter BitwiseAnd(TableFilter other) => this & other;

    public TableFilter BitwiseOr(TableFilter other) => this | other;

    /// <summary>
    /// <paramref name="property"/> if it is a property name both providers can put in a query (letters, digits and
    /// '_', not starting with a digit); else an <see cref="ArgumentException"/>.
    /// </summary>
    internal static string CheckedName(string property) =>
        property.Length > 0 && property.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && !char.IsAsciiDigit(property[0])
            ? property
            : throw new ArgumentException($"'{property}' is not a property name.", nameof(property));

    /// <summary>property comparison value; value is a string, int, long, double, bool or DateTimeOffset.</summary>
    public sealed record Comparison(string Property, TableComparison Operator, object Value) : TableFilter;

    public sealed record All(TableFilter Left, TableFilter Right) : TableFilter;

    public sealed record Any(TableFilter Left, TableFilter Right) : TableFilter;
}
