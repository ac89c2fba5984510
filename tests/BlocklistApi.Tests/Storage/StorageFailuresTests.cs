using System.Net.Sockets;
using Azure;
using BlocklistApi.Storage;
using Microsoft.Data.Sqlite;

namespace BlocklistApi.Tests.Storage;

/// <summary>The shapes in which a storage that is down, hung or throttled really shows up, and what is not a failure.</summary>
public sealed class StorageFailuresTests
{
    [Fact]
    public void IsUnavailable_AzureCoreRetryFailedAfterTimeouts_IsUnavailable()
    {
        // Azure.Core's RetryPolicy throws this when every try timed out ("Retry failed after 3 tries").
        var retries = new AggregateException("Retry failed after 3 tries.", new TaskCanceledException(), new TaskCanceledException(), new TaskCanceledException());

        Assert.True(StorageFailures.IsUnavailable(retries, CancellationToken.None));
    }

    [Fact]
    public void IsUnavailable_TimeoutWhileCallerStillWaits_IsUnavailable() =>
        Assert.True(StorageFailures.IsUnavailable(new TaskCanceledException(), CancellationToken.None));

    [Fact]
    public void IsUnavailable_CallerCancelled_IsNotADependencyFailure()
    {
        using var caller = new CancellationTokenSource();
        caller.Cancel();

        Assert.False(StorageFailures.IsUnavailable(new OperationCanceledException(caller.Token), caller.Token));
        Assert.False(StorageFailures.IsUnavailable(new AggregateException(new TaskCanceledException()), caller.Token));
        Assert.True(StorageFailures.IsCallerCancellation(new TaskCanceledException(), caller.Token));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    public void IsUnavailable_TransientStatus_IsUnavailable(int status) =>
        Assert.True(StorageFailures.IsUnavailable(new RequestFailedException(status, "x"), CancellationToken.None));

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(412)]
    public void IsUnavailable_AnswerOfAWorkingStorage_IsNot(int status) =>
        Assert.False(StorageFailures.IsUnavailable(new RequestFailedException(status, "x"), CancellationToken.None));

    [Fact]
    public void IsUnavailable_SocketAndHttpErrorsAndWrappedOnes_AreUnavailable()
    {
        Assert.True(StorageFailures.IsUnavailable(new SocketException((int)SocketError.ConnectionRefused), CancellationToken.None));
        Assert.True(StorageFailures.IsUnavailable(new HttpRequestException("refused"), CancellationToken.None));
        Assert.True(StorageFailures.IsUnavailable(new RequestFailedException("wrapped", new HttpRequestException("refused")), CancellationToken.None));
    }

    [Fact]
    public void IsUnavailable_Bug_IsNot()
    {
        Assert.False(StorageFailures.IsUnavailable(new InvalidOperationException("bug"), CancellationToken.None));
        Assert.False(StorageFailures.IsUnavailable(new AggregateException(new TaskCanceledException(), new ArgumentException("bug")), CancellationToken.None));
        Assert.False(StorageFailures.IsUnavailable(new AggregateException(), CancellationToken.None));
    }

    // SQLite result codes (https://www.sqlite.org/rescode.html): BUSY 5, LOCKED 6, READONLY 8, IOERR 10 and its
    // extended IOERR_WRITE 778 (a write to a file made read-only under an open connection), FULL 13, CANTOPEN 14.
    [Theory]
    [InlineData(5, 5)]
    [InlineData(5, 517)]
    [InlineData(6, 6)]
    [InlineData(8, 8)]
    [InlineData(8, 1032)]
    [InlineData(10, 778)]
    [InlineData(13, 13)]
    [InlineData(14, 14)]
    public void IsUnavailable_SqliteDatabaseLockedOrReadOnlyOrFailingDisk_IsUnavailable(int code, int extendedCode)
    {
        var exception = new SqliteException("database is locked", code, extendedCode);

        Assert.True(StorageFailures.IsUnavailable(exception, CancellationToken.None));
        Assert.True(StorageFailures.IsUnavailable(new AggregateException(exception), CancellationToken.None));
    }

    // ERROR 1 (e.g. a syntax error: a bug), CONSTRAINT 19, MISMATCH 20: the database works, the request was wrong.
    [Theory]
    [InlineData(1)]
    [InlineData(19)]
    [InlineData(20)]
    public void IsUnavailable_SqliteErrorOfAWorkingDatabase_IsNotButIsRejected(int code)
    {
        var exception = new SqliteException("SQL logic error", code);

        Assert.False(StorageFailures.IsUnavailable(exception, CancellationToken.None));
        Assert.True(StorageFailures.IsRejected(exception));
    }

    [Fact]
    public void IsRejected_AzureAnswerYesBugNo()
    {
        Assert.True(StorageFailures.IsRejected(new RequestFailedException(409, "conflict")));
        Assert.False(StorageFailures.IsRejected(new InvalidOperationException("bug")));
    }
}
