using System.Net.Sockets;
using Azure;

namespace BlocklistApi.Storage;

/// <summary>
/// The one classification of failures of a dependency reached over the network (Table Storage, Queues, HTTP APIs):
/// either it is unavailable for now (refused, hung, throttled, failing: answer degraded and try again later) or
/// the exception is something else (a bug: let it surface). The caller's own cancellation is neither.
/// </summary>
public static class StorageFailures
{
    /// <summary>
    /// True when <paramref name="exception"/> says the dependency is unavailable: a timeout (a cancellation that
    /// <paramref name="callerToken"/> did not ask for), Azure.Core's "retry failed" <see cref="AggregateException"/>,
    /// <see cref="RequestFailedException"/> with status 0 (no response), 408, 429 or 5xx, socket and HTTP errors, or
    /// any of these wrapped as an inner exception.
    /// </summary>
    public static bool IsUnavailable(Exception exception, CancellationToken callerToken = default) => exception switch
    {
        OperationCanceledException => !callerToken.IsCancellationRequested,
        RequestFailedException { Status: 0 or 408 or 429 or >= 500 } => true,
        HttpRequestException or TimeoutException or SocketException or IOException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(e => IsUnavailable(e, callerToken)),
        _ => exception.InnerException is { } inner && IsUnavailable(inner, callerToken),
    };

    /// <summary>True when the caller itself cancelled: not a failure of anything, nothing to log as one.</summary>
    public static bool IsCallerCancellation(Exception exception, CancellationToken callerToken) =>
        exception is OperationCanceledException && callerToken.IsCancellationRequested;
}
