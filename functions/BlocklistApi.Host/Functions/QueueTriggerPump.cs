using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using BlocklistApi.Hosting;
using BlocklistApi.Storage;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Host.Functions;

/// <summary>
/// Runs one queue-triggered function with the Functions host's semantics: batches of messages hidden while processed;
/// on failure the message becomes visible again after VisibilityTimeout; after MaxDequeueCount attempts it moves to
/// "&lt;queue&gt;-poison". Polling backs off to MaxPollingInterval while the queue is empty.
/// </summary>
internal sealed partial class QueueTriggerPump(
    FunctionDescriptor function,
    QueueServiceClient queues,
    IServiceScopeFactory scopes,
    FunctionInvoker invoker,
    IConfiguration configuration,
    IOptions<QueueTriggerOptions> options,
    IOptions<StorageOptions> storage,
    TimeProvider timeProvider,
    ILogger<QueueTriggerPump> logger) : BackgroundService
{
    private readonly QueueTriggerOptions _options = options.Value;

    public string QueueName { get; } = storage.Value.NamePrefix + SettingReferences.Resolve(function.Queue!.QueueName, configuration);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = queues.GetQueueClient(QueueName);
        var poison = queues.GetQueueClient(QueueName + "-poison");
        var delay = TimeSpan.FromMilliseconds(100);
        var created = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!created)
                {
                    await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                    created = true;
                }

                QueueMessage[] messages = await queue.ReceiveMessagesAsync(_options.BatchSize, _options.ProcessingTimeout, stoppingToken);
                if (messages.Length > 0)
                {
                    delay = TimeSpan.FromMilliseconds(100);
                    await Task.WhenAll(messages.Select(m => ProcessAsync(queue, poison, m, stoppingToken)));
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (RequestFailedException ex)
            {
                Log.PollFailed(logger, QueueName, ex);
            }

            try
            {
                await Task.Delay(delay, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxPollingInterval.Ticks));
        }
    }

    private async Task ProcessAsync(QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken stoppingToken)
    {
        if (message.DequeueCount > _options.MaxDequeueCount)
        {
            // Seen too often already (for example the process died while handling it).
            await MoveToPoisonAsync(queue, poison, message, stoppingToken);
            return;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var arguments = function.Method.GetParameters().Select(p => Bind(p, message, stoppingToken)).ToArray();
            await invoker.InvokeAsync(function, scope.ServiceProvider, arguments);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            Log.InvocationFailed(logger, function.Name, message.MessageId, message.DequeueCount, ex);
            try
            {
                if (message.DequeueCount >= _options.MaxDequeueCount)
                {
                    await MoveToPoisonAsync(queue, poison, message, stoppingToken);
                }
                else
                {
                    await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: _options.VisibilityTimeout, cancellationToken: stoppingToken);
                }
            }
            catch (RequestFailedException releaseError)
            {
                // The message reappears by itself when its processing timeout ends.
                Log.ReleaseFailed(logger, message.MessageId, releaseError);
            }
        }
    }

    private async Task MoveToPoisonAsync(QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken cancellationToken)
    {
        await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        Log.MovedToPoison(logger, message.MessageId, poison.Name, message.DequeueCount);
    }

    private object? Bind(System.Reflection.ParameterInfo parameter, QueueMessage message, CancellationToken stoppingToken)
    {
        var type = parameter.ParameterType;
        if (type == typeof(CancellationToken))
        {
            return stoppingToken;
        }

        if (parameter == function.TriggerParameter)
        {
            return type == typeof(string) ? message.Body.ToString()
                : type == typeof(BinaryData) ? message.Body
                : type == typeof(QueueMessage) ? message
                : type == typeof(byte[]) ? message.Body.ToArray()
                : System.Text.Json.JsonSerializer.Deserialize(message.Body.ToMemory().Span, type, System.Text.Json.JsonSerializerOptions.Web);
        }

        // Binding data the worker offers for queue triggers.
        return parameter.Name switch
        {
            "id" when type == typeof(string) => message.MessageId,
            "dequeueCount" when type == typeof(long) => message.DequeueCount,
            "insertionTime" when type == typeof(DateTimeOffset?) => message.InsertedOn,
            _ => throw new InvalidOperationException($"Function '{function.Name}': parameter '{parameter.Name}' cannot be bound by the self-host."),
        };
    }

    private static partial class Log
    {
        [LoggerMessage(8101, LogLevel.Warning, "Polling queue {Queue} failed")]
        public static partial void PollFailed(ILogger logger, string queue, Exception exception);

        [LoggerMessage(8102, LogLevel.Error, "Function {Function} failed for message {MessageId} (attempt {DequeueCount})")]
        public static partial void InvocationFailed(ILogger logger, string function, string messageId, long dequeueCount, Exception exception);

        [LoggerMessage(8103, LogLevel.Error, "Message {MessageId} moved to {PoisonQueue} after {DequeueCount} attempts")]
        public static partial void MovedToPoison(ILogger logger, string messageId, string poisonQueue, long dequeueCount);

        [LoggerMessage(8104, LogLevel.Warning, "Message {MessageId} could not be released for retry; it reappears after its processing timeout")]
        public static partial void ReleaseFailed(ILogger logger, string messageId, Exception exception);
    }
}
