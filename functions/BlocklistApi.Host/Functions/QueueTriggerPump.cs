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
    IQueueStorage queues,
    IServiceScopeFactory scopes,
    FunctionInvoker invoker,
    IConfiguration configuration,
    IOptions<QueueTriggerOptions> options,
    TimeProvider timeProvider,
    ILogger<QueueTriggerPump> logger) : BackgroundService
{
    private readonly QueueTriggerOptions _options = options.Value;

    private static readonly TimeSpan s_idleStart = TimeSpan.FromMilliseconds(100);
    private readonly LogThrottle _pollWarnings = new(timeProvider, TimeSpan.FromMinutes(1));

    /// <summary>The logical queue name (the storage provider adds Storage:NamePrefix).</summary>
    public string QueueName { get; } = SettingReferences.Resolve(function.Queue!.QueueName, configuration);

    private string PoisonQueueName => QueueName + "-poison";

    // Nothing that happens here may stop the host or this pump: a failed poll is logged (once a minute while it keeps
    // failing) and tried again after a pause that doubles up to Queues:MaxPollingInterval.
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = s_idleStart;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var messages = await queues.ReceiveAsync(QueueName, _options.BatchSize, _options.ProcessingTimeout, stoppingToken);
                if (messages.Count > 0)
                {
                    delay = s_idleStart;
                    await Task.WhenAll(messages.Select(m => ProcessAsync(m, stoppingToken)));
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (_pollWarnings.ShouldLog(out var suppressed))
                {
                    Log.PollFailed(logger, QueueName, suppressed, ex);
                }
            }

            try
            {
                await Task.Delay(delay, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = Backoff.Next(delay, s_idleStart, _options.MaxPollingInterval);
        }
    }

    private async Task ProcessAsync(QueueMessage message, CancellationToken stoppingToken)
    {
        try
        {
            if (message.DequeueCount > _options.MaxDequeueCount)
            {
                // Seen too often already (for example the process died while handling it).
                await MoveToPoisonAsync(message, stoppingToken);
                return;
            }

            await InvokeAsync(message, stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // The message reappears by itself when its processing timeout ends, and is tried again then.
            Log.ReleaseFailed(logger, message.Id, ex);
        }
    }

    private async Task InvokeAsync(QueueMessage message, CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var arguments = function.Method.GetParameters().Select(p => Bind(p, message, stoppingToken)).ToArray();
            await invoker.InvokeAsync(function, scope.ServiceProvider, arguments);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            Log.InvocationFailed(logger, function.Name, message.Id, message.DequeueCount, ex);
            if (message.DequeueCount >= _options.MaxDequeueCount)
            {
                await MoveToPoisonAsync(message, stoppingToken);
            }
            else
            {
                await queues.ReleaseAsync(QueueName, message, _options.VisibilityTimeout, stoppingToken);
            }

            return;
        }

        await queues.DeleteAsync(QueueName, message, stoppingToken);
    }

    private async Task MoveToPoisonAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        await queues.SendAsync(PoisonQueueName, message.Body, initialDelay: null, cancellationToken);
        await queues.DeleteAsync(QueueName, message, cancellationToken);
        Log.MovedToPoison(logger, message.Id, PoisonQueueName, message.DequeueCount);
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
            return type == typeof(string) ? message.Body
                : type == typeof(BinaryData) ? BinaryData.FromString(message.Body)
                : type == typeof(byte[]) ? System.Text.Encoding.UTF8.GetBytes(message.Body)
                : System.Text.Json.JsonSerializer.Deserialize(message.Body, type, System.Text.Json.JsonSerializerOptions.Web);
        }

        // Binding data the worker offers for queue triggers.
        return parameter.Name switch
        {
            "id" when type == typeof(string) => message.Id,
            "dequeueCount" when type == typeof(long) => message.DequeueCount,
            "insertionTime" when type == typeof(DateTimeOffset?) => message.InsertedAt,
            _ => throw new InvalidOperationException($"Function '{function.Name}': parameter '{parameter.Name}' cannot be bound by the self-host."),
        };
    }

    private static partial class Log
    {
        [LoggerMessage(8101, LogLevel.Warning, "Polling queue {Queue} failed; trying again ({Suppressed} more failures since the last warning)")]
        public static partial void PollFailed(ILogger logger, string queue, int suppressed, Exception exception);

        [LoggerMessage(8102, LogLevel.Error, "Function {Function} failed for message {MessageId} (attempt {DequeueCount})")]
        public static partial void InvocationFailed(ILogger logger, string function, string messageId, long dequeueCount, Exception exception);

        [LoggerMessage(8103, LogLevel.Error, "Message {MessageId} moved to {PoisonQueue} after {DequeueCount} attempts")]
        public static partial void MovedToPoison(ILogger logger, string messageId, string poisonQueue, long dequeueCount);

        [LoggerMessage(8104, LogLevel.Warning, "Message {MessageId} could not be deleted, released or moved; it reappears after its processing timeout")]
        public static partial void ReleaseFailed(ILogger logger, string messageId, Exception exception);
    }
}
