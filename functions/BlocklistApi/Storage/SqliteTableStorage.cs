using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Storage;

/// <summary>
/// <see cref="ITableStorage"/> on SQLite: every table's rows in one SQL table keyed (table, PartitionKey, RowKey)
/// WITHOUT ROWID, so a point read, a partition and a row-key range are all one index seek. Properties are one JSON
/// object with each value typed (<c>{"FirstSeen":["d",638..]}</c>: s string, i int, l long, f double, b bool,
/// d DateTimeOffset as UTC ticks), so filters compare in SQL with the value's own type, as Table Storage does. The ETag
/// is a version column that every write sets to a new random number (so a row deleted and inserted again never
/// matches an old ETag). Bounded and reported as <see cref="AzureTableStorage"/> is.
/// </summary>
public sealed class SqliteTableStorage(SqliteDatabase database, StorageHealth health, IOptions<StorageOptions> options) : ITableStorage
{
    private const string GetSql = "SELECT version, props FROM entities WHERE tbl = $t AND pk = $p AND rk = $r";
    private const string InsertSql = "INSERT INTO entities (tbl, pk, rk, version, props) VALUES ($t, $p, $r, $v, $props) ON CONFLICT DO NOTHING";
    private const string ReplaceSql = "UPDATE entities SET version = $v, props = $props WHERE tbl = $t AND pk = $p AND rk = $r AND version = $old";
    private const string ReplaceAnySql = "UPDATE entities SET version = $v, props = $props WHERE tbl = $t AND pk = $p AND rk = $r";
    private const string UpsertSql = "INSERT INTO entities (tbl, pk, rk, version, props) VALUES ($t, $p, $r, $v, $props) ON CONFLICT (tbl, pk, rk) DO UPDATE SET version = excluded.version, props = excluded.props";
    private const string DeleteSql = "DELETE FROM entities WHERE tbl = $t AND pk = $p AND rk = $r AND ($old IS NULL OR version = $old)";

    private readonly string _prefix = options.Value.NamePrefix;

    public Task<TableRow?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken) =>
        health.RunAsync(StorageAccess.Read, token => database.ReadAsync(session =>
        {
            var command = session.Command(GetSql, "$t", "$p", "$r");
            Bind(command, _prefix + table, partitionKey, rowKey);
            using var reader = command.ExecuteReader();
            return reader.Read() ? ToRow(partitionKey, rowKey, reader.GetInt64(0), reader.GetString(1)) : null;
        }, token), cancellationToken);

    public Task<IReadOnlyList<TableRow>> QueryAsync(string table, TableQuery query, CancellationToken cancellationToken)
    {
        var (sql, names, values) = SqlQuery.For(query);
        return health.RunAsync(StorageAccess.Read, token => database.ReadAsync(session =>
        {
            var command = session.Command(sql, names);
            command.Parameters[0].Value = _prefix + table;
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i + 1].Value = values[i];
            }

            var rows = new List<TableRow>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add(ToRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3)));
            }

            return (IReadOnlyList<TableRow>)rows;
        }, token), cancellationToken);
    }

    public Task<TableWrite> InsertAsync(string table, TableRow row, CancellationToken cancellationToken) =>
        WriteAsync(table, row, InsertSql, ifMatch: null, cancellationToken);

    public Task<TableWrite> ReplaceAsync(string table, TableRow row, string ifMatch, CancellationToken cancellationToken)
    {
        if (ifMatch == "*")
        {
            return WriteAsync(table, row, ReplaceAnySql, ifMatch: null, cancellationToken);
        }

        // An ETag that is not one of ours matches no row.
        return Version(ifMatch) is { } old ? WriteAsync(table, row, ReplaceSql, old, cancellationToken) : Task.FromResult(TableWrite.Conflict);
    }

    public Task<TableWrite> UpsertAsync(string table, TableRow row, CancellationToken cancellationToken) =>
        WriteAsync(table, row, UpsertSql, ifMatch: null, cancellationToken);

    public Task<bool> DeleteAsync(string table, string partitionKey, string rowKey, string? ifMatch, CancellationToken cancellationToken)
    {
        var old = ifMatch is null or "*" ? null : Version(ifMatch);
        if (ifMatch is not null and not "*" && old is null)
        {
            return Task.FromResult(false);
        }

        return health.RunAsync(StorageAccess.Write, token => database.WriteAsync(session => Delete(session, _prefix + table, partitionKey, rowKey, old), token), cancellationToken);
    }

    public Task<bool> SubmitBatchAsync(string table, IReadOnlyList<TableBatchAction> actions, CancellationToken cancellationToken)
    {
        if (actions.Count is 0 or > AzureTableStorage.MaxBatchSize || actions.Any(a => a.Row.PartitionKey != actions[0].Row.PartitionKey))
        {
            throw new ArgumentException($"A batch is 1 to {AzureTableStorage.MaxBatchSize} actions on one partition.", nameof(actions));
        }

        // Encoded before the write lock is taken: the lock is held only for SQLite's own work.
        var encoded = new List<(TableBatchKind Kind, TableRow Row, string? Props, long? Old)>(actions.Count);
        foreach (var action in actions)
        {
            long? old = null;
            if (action.Kind == TableBatchKind.Delete && action.IfMatch is { } etag && etag != "*" && (old = Version(etag)) is null)
            {
                return Task.FromResult(false);
            }

            encoded.Add((action.Kind, action.Row, action.Kind == TableBatchKind.Upsert ? PropertyJson.Write(action.Row) : null, old));
        }

        return health.RunAsync(StorageAccess.Write, token => database.WriteAsync(session => session.Transaction(() =>
        {
            foreach (var (kind, row, props, old) in encoded)
            {
                if (kind == TableBatchKind.Upsert)
                {
                    Write(session, UpsertSql, _prefix + table, row, props!, NewVersion(), null);
                }
                else if (!Delete(session, _prefix + table, row.PartitionKey, row.RowKey, old))
                {
                    // Table Storage fails the whole transaction when a delete finds no row (or another version).
                    return false;
                }
            }

            return true;
        }), token), cancellationToken);
    }

    private Task<TableWrite> WriteAsync(string table, TableRow row, string sql, long? ifMatch, CancellationToken cancellationToken)
    {
        var props = PropertyJson.Write(row);
        var version = NewVersion();
        return health.RunAsync(StorageAccess.Write, token => database.WriteAsync(
            session => Write(session, sql, _prefix + table, row, props, version, ifMatch) ? new TableWrite(true, ETag(version)) : TableWrite.Conflict,
            token), cancellationToken);
    }

    private static bool Write(SqliteSession session, string sql, string table, TableRow row, string props, long version, long? ifMatch)
    {
        var command = ifMatch is null
            ? session.Command(sql, "$t", "$p", "$r", "$v", "$props")
            : session.Command(sql, "$t", "$p", "$r", "$v", "$props", "$old");
        Bind(command, table, row.PartitionKey, row.RowKey);
        command.Parameters[3].Value = version;
        command.Parameters[4].Value = props;
        if (ifMatch is { } old)
        {
            command.Parameters[5].Value = old;
        }

        return command.ExecuteNonQuery() == 1;
    }

    private static bool Delete(SqliteSession session, string table, string partitionKey, string rowKey, long? ifMatch)
    {
        var command = session.Command(DeleteSql, "$t", "$p", "$r", "$old");
        Bind(command, table, partitionKey, rowKey);
        command.Parameters[3].Value = ifMatch is { } old ? old : DBNull.Value;
        return command.ExecuteNonQuery() == 1;
    }

    private static void Bind(SqliteCommand command, string table, string partitionKey, string rowKey)
    {
        command.Parameters[0].Value = table;
        command.Parameters[1].Value = partitionKey;
        command.Parameters[2].Value = rowKey;
    }

    private static TableRow ToRow(string partitionKey, string rowKey, long version, string props)
    {
        var row = new TableRow(partitionKey, rowKey, ETag(version));
        PropertyJson.Read(props, row);
        return row;
    }

    // Random rather than counting: a row deleted and inserted again must not match an ETag read before the delete.
    private static long NewVersion() => Random.Shared.NextInt64(1, long.MaxValue);

    internal static string ETag(long version) => string.Create(CultureInfo.InvariantCulture, $"W/\"{version:x}\"");

    internal static long? Version(string etag) =>
        etag.StartsWith("W/\"", StringComparison.Ordinal) && etag.EndsWith('"')
        && long.TryParse(etag.AsSpan(3, etag.Length - 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var version)
            ? version
            : null;

    /// <summary>Row properties as typed JSON: <c>{"Name":["tag",value],...}</c>.</summary>
    internal static class PropertyJson
    {
        public static string Write(TableRow row)
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                foreach (var (name, value) in row.Properties)
                {
                    json.WriteStartArray(name);
                    switch (value)
                    {
                        case string text: json.WriteStringValue("s"); json.WriteStringValue(text); break;
                        case int number: json.WriteStringValue("i"); json.WriteNumberValue(number); break;
                        case long number: json.WriteStringValue("l"); json.WriteNumberValue(number); break;
                        case double number when double.IsFinite(number): json.WriteStringValue("f"); json.WriteNumberValue(number); break;
                        case bool flag: json.WriteStringValue("b"); json.WriteBooleanValue(flag); break;
                        case DateTimeOffset time: json.WriteStringValue("d"); json.WriteNumberValue(time.UtcTicks); break;
                        default: throw new ArgumentException($"Property {name}: {value} cannot be stored.", nameof(row));
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }

            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }

        public static void Read(string props, TableRow row)
        {
            var json = new Utf8JsonReader(Encoding.UTF8.GetBytes(props));
            json.Read();
            while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
            {
                var name = json.GetString()!;
                json.Read();
                json.Read();
                var tag = json.ValueSpan[0];
                json.Read();
                row[name] = tag switch
                {
                    (byte)'s' => json.GetString()!,
                    (byte)'i' => json.GetInt32(),
                    (byte)'l' => json.GetInt64(),
                    (byte)'f' => json.GetDouble(),
                    (byte)'b' => json.GetBoolean(),
                    (byte)'d' => new DateTimeOffset(json.GetInt64(), TimeSpan.Zero),
                    _ => throw new InvalidOperationException($"Property {name} of row ({row.PartitionKey}, {row.RowKey}) has an unknown type tag."),
                };
                json.Read();
            }
        }

        public static (string Tag, object Value) Constant(object value) => value switch
        {
            string text => ("s", text),
            int number => ("i", number),
            long number => ("l", number),
            double number => ("f", number),
            bool flag => ("b", flag ? 1 : 0),
            DateTimeOffset time => ("d", time.UtcTicks),
            var other => throw new ArgumentException($"A {other.GetType().Name} cannot be compared in a filter.", nameof(value)),
        };
    }

    /// <summary>
    /// A <see cref="TableQuery"/> as SQL: keys as index ranges, the filter as typed comparisons of the JSON properties,
    /// every constant a parameter (never in the SQL text), so one query shape is one prepared statement.
    /// </summary>
    internal static class SqlQuery
    {
        public static (string Sql, string[] Names, object[] Values) For(TableQuery query)
        {
            var sql = new StringBuilder("SELECT pk, rk, version, props FROM entities WHERE tbl = $t");
            var values = new List<object>();
            string Parameter(object value)
            {
                values.Add(value);
                return "$" + values.Count.ToString(CultureInfo.InvariantCulture);
            }

            if (query.PartitionKey is { } partition)
            {
                sql.Append(" AND pk = ").Append(Parameter(partition));
            }

            if (query.RowKeyFrom is { } from)
            {
                sql.Append(" AND rk >= ").Append(Parameter(from));
            }

            if (query.RowKeyBefore is { } before)
            {
                sql.Append(" AND rk < ").Append(Parameter(before));
            }

            if (query.Filter is { } filter)
            {
                sql.Append(" AND ");
                Append(sql, filter, Parameter);
            }

            sql.Append(" ORDER BY pk, rk");
            if (query.Take is { } take)
            {
                sql.Append(" LIMIT ").Append(Parameter(take));
            }

            var names = new string[values.Count + 1];
            names[0] = "$t";
            for (var i = 1; i < names.Length; i++)
            {
                names[i] = "$" + i.ToString(CultureInfo.InvariantCulture);
            }

            return (sql.ToString(), names, values.ToArray());
        }

        private static void Join(StringBuilder sql, TableFilter left, string op, TableFilter right, Func<object, string> parameter)
        {
            sql.Append('(');
            Append(sql, left, parameter);
            sql.Append(op);
            Append(sql, right, parameter);
            sql.Append(')');
        }

        private static void Append(StringBuilder sql, TableFilter filter, Func<object, string> parameter)
        {
            switch (filter)
            {
                case TableFilter.All all:
                    Join(sql, all.Left, " AND ", all.Right, parameter);
                    break;
                case TableFilter.Any any:
                    Join(sql, any.Left, " OR ", any.Right, parameter);
                    break;
                case TableFilter.Comparison comparison:
                    var name = TableFilter.CheckedName(comparison.Property);

                    var op = comparison.Operator switch
                    {
                        TableComparison.Equal => "=",
                        TableComparison.NotEqual => "<>",
                        TableComparison.LessThan => "<",
                        TableComparison.LessThanOrEqual => "<=",
                        TableComparison.GreaterThan => ">",
                        TableComparison.GreaterThanOrEqual => ">=",
                        _ => throw new ArgumentOutOfRangeException(nameof(filter), comparison.Operator, null),
                    };
                    var (tag, value) = PropertyJson.Constant(comparison.Value);
                    // A row without the property, or with a value of another type, never matches (as in Table Storage).
                    sql.Append("(json_extract(props, '$.").Append(name).Append("[0]') = ").Append(parameter(tag))
                        .Append(" AND json_extract(props, '$.").Append(name).Append("[1]') ").Append(op).Append(' ').Append(parameter(value)).Append(')');
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(filter), filter, null);
            }
        }
    }
}
