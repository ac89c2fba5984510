using Microsoft.Extensions.Options;

namespace BlocklistApi.Storage;

/// <summary>
/// Runs every storage operation the way both providers must (one Storage:Timeout deadline with the client's own
/// retries inside it, and the caller's token, which carries the route's shorter budget), and remembers whether
/// storage answers, for /healthz: failing since the first failure after the last success, healthy again at the next success.
/// </summary>
public sealed class StorageHealth(TimeProvider timeProvider, IOptions<StorageOptions> options)
{
    private readonly Lock _lock = new();
    private DateTimeOffset? _failingSince;
    private string? _lastError;
    private long _reads;
    private long _writes;

    /// <summary>The state for /healthz.</summary>
    public StorageStatus Status
    {
        get
        {
            lock (_lock)
            {
                return new StorageStatus(_failingSince is null, _failingSince, _lastError, Interlocked.Read(ref _reads), Interlocked.Read(ref _writes));
            }
        }
    }

    /// <summary>Runs one storage operation: bounded, counted, and its outcome recorded.</summary>
    public async Task<T> RunAsync<T>(StorageAccess access, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref access == StorageAccess.Read ? ref _reads : ref _writes);
        // A network deadline, on the real clock: it bounds how long we wait on a peer, which a test's fake clock does
        // not move (tests move business time, such as greylisting delays, while storage calls are in flight).
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.Timeout);
        try
        {
            var result = await operation(deadline.Token);
            Succeeded();
            return result;
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, CancellationToken.None))
        {
            // A cancellation counts too: whoever's budget ran out, storage did not answer within it.
            Failed(ex);
            throw;
        }
        catch (Exception ex) when (StorageFailures.IsRejected(ex))
        {
            // Storage answered, if not as hoped (400, 403, a constraint...): it is there.
            Succeeded();
            throw;
        }
    }

    private void Succeeded()
    {
        lock (_lock)
        {
            _failingSince = null;
            _lastError = null;
        }
    }

    private void Failed(Exception exception)
    {
        lock (_lock)
        {
            _failingSince ??= timeProvider.GetUtcNow();
            _lastError = Describe(exception);
        }
    }

    private static string Describe(Exception exception) => exception switch
    {
        OperationCanceledException => "Storage did not answer in time.",
        Azure.RequestFailedException { Status: > 0 } failed => $"Storage answered {failed.Status} ({failed.ErrorCode}).",
        AggregateException { InnerExceptions.Count: > 0 } aggregate => Describe(aggregate.InnerExceptions[^1]),
        Microsoft.Data.Sqlite.SqliteException sqlite => $"The SQLite database cannot be used ({sqlite.Message}).",
        _ => $"Storage could not be reached ({exception.GetType().Name}: {exception.Message}).",
    };
}

/// <summary>Storage as seen from here: healthy, or failing since when and why; and how many operations this instance ran.</summary>
public sealed record StorageStatus(bool Healthy, DateTimeOffset? FailingSince, string? LastError, long Reads, long Writes);

/// <summary>What a storage operation does, for the counts in /healthz (the benchmarks' operations per check).</summary>
public enum StorageAccess
{
    /// <summary>A point read or a query.</summary>
    Read,
    /// <summary>Anything that changes storage (a queue receive too: it hides the message).</summary>
    Write,
}
