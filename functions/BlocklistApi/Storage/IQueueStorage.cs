namespace BlocklistApi.Storage;

/// <summary>A received queue message: hidden from other receivers until its visibility timeout ends or it is deleted.</summary>
/// <param name="Id">The message id.</param>
/// <param name="Receipt">Proves this receive; deleting or releasing the message needs it.</param>
/// <param name="Body">The message text (JSON for our functions).</param>
/// <param name="DequeueCount">How many times the message has been received, this time included.</param>
/// <param name="InsertedAt">When the message was sent.</param>
public sealed record QueueMessage(string Id, string Receipt, string Body, long DequeueCount, DateTimeOffset InsertedAt);

/// <summary>
/// The queue port, with the semantics of Azure Storage Queues that the Functions queue trigger relies on: a received
/// message stays hidden for its visibility timeout, its dequeue count grows with every receive, and it is gone only
/// when deleted. Poison handling (after Queues:MaxDequeueCount, to "&lt;queue&gt;-poison") is the pump's, on top. Two
/// providers implement it; operations are bounded as in <see cref="ITableStorage"/>; queue names are logical.
/// </summary>
public interface IQueueStorage
{
    /// <summary>Sends a message, visible at once or after <paramref name="initialDelay"/>.</summary>
    Task SendAsync(string queue, string body, TimeSpan? initialDelay, CancellationToken cancellationToken);

    /// <summary>Receives up to <paramref name="maxMessages"/> visible messages and hides them for <paramref name="visibilityTimeout"/>.</summary>
    Task<IReadOnlyList<QueueMessage>> ReceiveAsync(string queue, int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken);

    /// <summary>Deletes a received message (it was handled).</summary>
    Task DeleteAsync(string queue, QueueMessage message, CancellationToken cancellationToken);

    /// <summary>Makes a received message visible again after <paramref name="visibilityTimeout"/> (it failed and will be retried).</summary>
    Task ReleaseAsync(string queue, QueueMessage message, TimeSpan visibilityTimeout, CancellationToken cancellationToken);
}
