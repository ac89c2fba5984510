using System.Net.Sockets;
using Azure;
using Microsoft.Data.Sqlite;

namespace BlocklistApi.Storage;

/// <summary>
/// The one classification of failures of a dependency reached over the network (Table Storage, Queues, HTTP APIs)
/// or on disk (SQLite): either it is unavailable for now (refused, hung, throttled, failing, locked, read-only: answer
/// degraded and try again later) or the exception is something else (a bug: let it surface). The caller's own
/// cancellation is neither.
/// </summary>
public static class StorageFailures
{
    /// <summary>
    /// True when <paramref name="exception"/> says the dependency is unavailable: a timeout (a cancellation that
    /// <paramref name="callerToken"/> did not ask for), Azure.Core's "retry failed" <see cref="AggregateException"/>,
    /// <see cref="RequestFailedException"/> with status 0 (no response), 408, 429 or 5xx, socket and HTTP errors,
    /// <see cref="SqliteException"/>s of a database that cannot be used now (busy or locked by another connection or
    /// process, read-only file or disk, I/O error, disk full, cannot open, corrupt), or any of these wrapped as an
    /// inner exception.
    /// </summary>
    public static bool IsUnavailable(Exception exception, CancellationToken callerToken = default) => exception switch
    {
        OperationCanceledException => !callerToken.IsCancellationRequested,
        RequestFailedException { Status: 0 or 408 or 429 or >= 500 } => true,
        SqliteException sqlite => IsUnusableDatabase(sqlite.SqliteErrorCode),
        HttpRequestException or TimeoutException or SocketException or IOException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(e => IsUnavailable(e, callerToken)),
        _ => exception.InnerException is { } inner && IsUnavailable(inner, callerToken),
    };

    /// <summary>
    /// True when storage answered but refused the operation (Table Storage's 4xx, a SQLite error that is no outage):
    /// storage is there, the request was wrong. Stores that have a degraded answer give it for these too.
    /// </summary>
    public static bool IsRejected(Exception exception) => exception is RequestFailedException or SqliteException;

    // SQLite's primary result codes (https://www.sqlite.org/rescode.html) that mean "this database cannot be used
    // right now": PERM 3, BUSY 5, LOCKED 6, READONLY 8, INTERRUPT 9, IOERR 10, CORRUPT 11, FULL 13, CANTOPEN 14,
    // PROTOCOL 15, NOTADB 26. Extended codes carry the primary one in their low byte.
    private static bool IsUnusableDatabase(int code) => (code & 0xff) is 3 or 5 or 6 or 8 or 9 or 10 or 11 or 13 or 14 or 15 or 26;

    /// <summary>True when the caller itself cancelled: not a failure of anything, nothing to log as one.</summary>
    public static bool IsCallerCancellation(Exception exception, CancellationToken callerToken) =>
        exception is OperationCanceledException && callerToken.IsCancellationRequested;
}
