using Azure;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Storage;

/// <summary>
/// <see cref="IQueueStorage"/> on Azure Storage Queues (or Azurite), base64 messages as the Functions queue trigger
/// expects; queues created once per process on first use; bounded and reported as <see cref="AzureTableStorage"/> is.
/// </summary>
public sealed class AzureQueueStorage(QueueServiceClient service, StorageHealth health, IOptions<StorageOptions> options, TimeProvider timeProvider) : IQueueStorage
{
    private readonly CreatedOnce<QueueClient> _queues = new((name, token) => CreateAsync(service, options.Value.NamePrefix + name, token),
        ex => ex is RequestFailedException { ErrorCode: "QueueNotFound" });

    public Task SendAsync(string queue, string body, TimeSpan? initialDelay, CancellationToken cancellationToken) =>
        RunAsync(StorageAccess.Write, queue, async (client, token) => await client.SendMessageAsync(body, initialDelay, cancellationToken: token), cancellationToken);

    public Task<IReadOnlyList<QueueMessage>> ReceiveAsync(string queue, int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken) =>
        RunAsync(StorageAccess.Write, queue, async (client, token) =>
        {
            var messages = (await client.ReceiveMessagesAsync(maxMessages, visibilityTimeout, token)).Value;
            return (IReadOnlyList<QueueMessage>)messages
                .Select(m => new QueueMessage(m.MessageId, m.PopReceipt, m.Body.ToString(), m.DequeueCount, m.InsertedOn ?? timeProvider.GetUtcNow()))
                .ToList();
        }, cancellationToken);

    public Task DeleteAsync(string queue, QueueMessage message, CancellationToken cancellationToken) =>
        RunAsync(StorageAccess.Write, queue, async (client, token) =>
        {
            try
            {
                await client.DeleteMessageAsync(message.Id, message.Receipt, token);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Already gone (its receipt expired and another receiver deleted it): nothing to do.
            }

            return true;
        }, cancellationToken);

    public Task ReleaseAsync(string queue, QueueMessage message, TimeSpan visibilityTimeout, CancellationToken cancellationToken) =>
        RunAsync(StorageAccess.Write, queue, async (client, token) =>
        {
            try
            {
                await client.UpdateMessageAsync(message.Id, message.Receipt, visibilityTimeout: visibilityTimeout, cancellationToken: token);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Its receipt expired (another receiver has it now) or it is gone: nothing to release, as on SQLite.
            }

            return true;
        }, cancellationToken);

    private Task<T> RunAsync<T>(StorageAccess access, string queue, Func<QueueClient, CancellationToken, Task<T>> operation, CancellationToken cancellationToken) =>
        health.RunAsync(access, token => _queues.RunAsync(queue, operation, token), cancellationToken);

    private static async Task<QueueClient> CreateAsync(QueueServiceClient service, string name, CancellationToken cancellationToken)
    {
        var client = service.GetQueueClient(name);
        await client.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        return client;
    }
}
