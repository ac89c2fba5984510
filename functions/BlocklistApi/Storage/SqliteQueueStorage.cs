using System.Globalization;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Storage;

/// <summary>
/// <see cref="IQueueStorage"/> on SQLite: messages are rows with a visible-at time (UTC ticks on the injected clock),
/// a dequeue count and the receipt of their last receive. A receive is one UPDATE ... RETURNING that hides up to N
/// visible messages (oldest first) and counts the dequeue, in one statement, so two receivers never get the same
/// message; delete and release need the receipt (a stale one changes nothing, as an expired pop receipt in Azure).
/// Poison handling is the pump's, as on Azure.
/// </summary>
public sealed class SqliteQueueStorage(SqliteDatabase database, StorageHealth health, IOptions<StorageOptions> options, TimeProvider timeProvider) : IQueueStorage
{
    private const string SendSql = "INSERT INTO messages (queue, body, inserted_at, visible_at) VALUES ($q, $body, $now, $visible)";
    private const string ReceiveSql = """
        UPDATE messages SET visible_at = $until, dequeue_count = dequeue_count + 1, receipt = $receipt
        WHERE id IN (SELECT id FROM messages WHERE queue = $q AND visible_at <= $now ORDER BY visible_at, id LIMIT $n)
        RETURNING id, body, dequeue_count, inserted_at
        """;
    private const string DeleteSql = "DELETE FROM messages WHERE id = $id AND receipt = $receipt";
    private const string ReleaseSql = "UPDATE messages SET visible_at = $visible WHERE id = $id AND receipt = $receipt";

    private readonly string _prefix = options.Value.NamePrefix;

    public Task SendAsync(string queue, string body, TimeSpan? initialDelay, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        return health.RunAsync(StorageAccess.Write, token => database.WriteAsync(session =>
        {
            var command = session.Command(SendSql, "$q", "$body", "$now", "$visible");
            command.Parameters[0].Value = _prefix + queue;
            command.Parameters[1].Value = body;
            command.Parameters[2].Value = now.UtcTicks;
            command.Parameters[3].Value = (now + (initialDelay ?? TimeSpan.Zero)).UtcTicks;
            return command.ExecuteNonQuery();
        }, token), cancellationToken);
    }

    public Task<IReadOnlyList<QueueMessage>> ReceiveAsync(string queue, int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var receipt = Guid.NewGuid().ToString("N");
        return health.RunAsync(StorageAccess.Write, token => database.WriteAsync(session =>
        {
            var command = session.Command(ReceiveSql, "$until", "$receipt", "$q", "$now", "$n");
            command.Parameters[0].Value = (now + visibilityTimeout).UtcTicks;
            command.Parameters[1].Value = receipt;
            command.Parameters[2].Value = _prefix + queue;
            command.Parameters[3].Value = now.UtcTicks;
            command.Parameters[4].Value = maxMessages;
            var messages = new List<QueueMessage>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                messages.Add(new QueueMessage(
                    reader.GetInt64(0).ToString(CultureInfo.InvariantCulture),
                    receipt,
                    reader.GetString(1),
                    reader.GetInt64(2),
                    new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero)));
            }

            // RETURNING gives no order: hand them out oldest first, as the receive chose them.
            return (IReadOnlyList<QueueMessage>)messages.OrderBy(m => long.Parse(m.Id, CultureInfo.InvariantCulture)).ToList();
        }, token), cancellationToken);
    }

    public Task DeleteAsync(string queue, QueueMessage message, CancellationToken cancellationToken) =>
        health.RunAsync(StorageAccess.Write, token => database.WriteAsync(session =>
        {
            var command = session.Command(DeleteSql, "$id", "$receipt");
            command.Parameters[0].Value = long.Parse(message.Id, CultureInfo.InvariantCulture);
            command.Parameters[1].Value = message.Receipt;
            return command.ExecuteNonQuery();
        }, token), cancellationToken);

    public Task ReleaseAsync(string queue, QueueMessage message, TimeSpan visibilityTimeout, CancellationToken cancellationToken)
    {
        var visible = (timeProvider.GetUtcNow() + visibilityTimeout).UtcTicks;
        return health.RunAsync(StorageAccess.Write, token => database.WriteAsync(session =>
        {
            var command = session.Command(ReleaseSql, "$visible", "$id", "$receipt");
            command.Parameters[0].Value = visible;
            command.Parameters[1].Value = long.Parse(message.Id, CultureInfo.InvariantCulture);
            command.Parameters[2].Value = message.Receipt;
            return command.ExecuteNonQuery();
        }, token), cancellationToken);
    }
}
