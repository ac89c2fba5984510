using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Storage;

/// <summary>
/// The SQLite provider's one database file (Storage:Sqlite:Path), shared by <see cref="SqliteTableStorage"/> and
/// <see cref="SqliteQueueStorage"/>.
/// <para>
/// WAL journal, so readers never wait for the writer; synchronous=NORMAL by default (see <see cref="SqliteSynchronous"/>:
/// a committed write is in the WAL file, which the OS keeps when the process is killed). A pool of reader connections
/// sized for the machine (two per core, at least four) and one writer connection: SQLite has one writer at a time
/// anyway, and queueing writers here (an async lock, bounded by the caller's deadline) instead of in SQLite's busy
/// loop keeps a wait on a busy database cancellable. Every connection keeps its statements prepared.
/// </para>
/// <para>
/// SQLite calls block their thread. A write can wait for a database locked by another process (SQLite retries a busy
/// database until the command timeout, set to Storage:Timeout), so each write runs on the thread pool and the caller
/// waits for it with its token: it answers within its own budget, as with a frozen Azure. Reads do not wait in WAL and
/// run on the caller's thread (see <see cref="ReadAsync"/>). The schema is created and
/// migrated on first use (PRAGMA user_version), not at start, so that an unusable file does not stop the host.
/// </para>
/// </summary>
public sealed partial class SqliteDatabase : IDisposable
{
    /// <summary>
    /// The schema, one step per version (PRAGMA user_version counts the steps applied). Never edit a step that shipped;
    /// add one.
    /// </summary>
    private static readonly string[] s_migrations =
    [
        """
        CREATE TABLE entities (
            tbl TEXT NOT NULL,
            pk TEXT NOT NULL,
            rk TEXT NOT NULL,
            version INTEGER NOT NULL,
            props TEXT NOT NULL,
            PRIMARY KEY (tbl, pk, rk)
        ) WITHOUT ROWID;
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            queue TEXT NOT NULL,
            body TEXT NOT NULL,
            inserted_at INTEGER NOT NULL,
            visible_at INTEGER NOT NULL,
            dequeue_count INTEGER NOT NULL DEFAULT 0,
            receipt TEXT
        );
        CREATE INDEX messages_by_visibility ON messages (queue, visible_at, id);
        """,
    ];

    private readonly string _connectionString;
    private readonly string _readerConnectionString;
    private readonly SqliteSynchronous _synchronous;
    private readonly ILogger<SqliteDatabase> _logger;
    private readonly ConcurrentBag<SqliteSession> _idleReaders = [];
    private readonly SemaphoreSlim _readerSlots;
    private readonly SemaphoreSlim _writerLock = new(1, 1);
    private readonly CreatedOnce<string> _schema;
    private SqliteSession? _writer;
    private bool _disposed;

    public SqliteDatabase(IOptions<StorageOptions> options, IHostEnvironment environment, ILogger<SqliteDatabase> logger)
    {
        var sqlite = options.Value.Sqlite;
        FilePath = Path.GetFullPath(sqlite.Path, environment.ContentRootPath);
        _synchronous = sqlite.Synchronous;
        _logger = logger;
        ReaderCount = Math.Max(4, Environment.ProcessorCount * 2);
        _readerSlots = new SemaphoreSlim(ReaderCount, ReaderCount);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            // This class is the pool (it keeps prepared statements per connection).
            Pooling = false,
            // How long SQLite retries a database another process holds locked; callers stop waiting at their own deadline.
            DefaultTimeout = (int)Math.Ceiling(options.Value.Timeout.TotalSeconds),
        }.ToString();
        _readerConnectionString = new SqliteConnectionStringBuilder(_connectionString) { DefaultTimeout = 1 }.ToString();
        _schema = new CreatedOnce<string>((_, _) => Task.Run(Migrate));
    }

    /// <summary>The database file's full path.</summary>
    public string FilePath { get; }

    /// <summary>How many connections read at the same time.</summary>
    public int ReaderCount { get; }

    /// <summary>The schema version this code creates and understands.</summary>
    public static int SchemaVersion => s_migrations.Length;

    /// <summary>
    /// Runs <paramref name="read"/> on a reader connection, on the caller's thread: in WAL a reader never waits for the
    /// writer (nor for another process holding the write lock), so a read takes microseconds, less than a hop to the
    /// thread pool would. Reader connections retry a busy database for at most a second (SQLite's WAL recovery, or a
    /// process that took the file in exclusive locking mode: not what a running self-host meets).
    /// </summary>
    public async Task<T> ReadAsync<T>(Func<SqliteSession, T> read, CancellationToken cancellationToken)
    {
        await _schema.GetAsync("", cancellationToken);
        await _readerSlots.WaitAsync(cancellationToken);
        SqliteSession? session = null;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            session = _idleReaders.TryTake(out var idle) ? idle : Open(_readerConnectionString);
            return read(session);
        }
        catch (SqliteException)
        {
            session?.MarkBroken();
            throw;
        }
        finally
        {
            Return(session);
            _readerSlots.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> on the writer connection, one writer at a time. A write of several statements
    /// wraps them in <see cref="SqliteSession.Transaction"/>.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<SqliteSession, T> write, CancellationToken cancellationToken)
    {
        await _schema.GetAsync("", cancellationToken);
        await _writerLock.WaitAsync(cancellationToken);
        var work = Task.Run(() =>
        {
            try
            {
                _writer ??= Open(_connectionString);
                return write(_writer);
            }
            catch (SqliteException)
            {
                // A connection that failed mid-write (a disk error, say) is not trusted again: the next write opens a new one.
                _writer?.Dispose();
                _writer = null;
                throw;
            }
            finally
            {
                _writerLock.Release();
            }
        }, CancellationToken.None);
        return await work.WaitAsync(cancellationToken);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _writerLock.Wait();
        _writer?.Dispose();
        _writer = null;
        _writerLock.Release();
        while (_idleReaders.TryTake(out var reader))
        {
            reader.Dispose();
        }
    }

    private void Return(SqliteSession? session)
    {
        if (session is null)
        {
            return;
        }

        if (_disposed || session.Broken)
        {
            session.Dispose();
        }
        else
        {
            _idleReaders.Add(session);
        }
    }

    private SqliteSession Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using var pragmas = connection.CreateCommand();
            // journal_mode is kept in the file (set by Migrate); these are per connection.
            pragmas.CommandText = _synchronous == SqliteSynchronous.Full
                ? "PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY;"
                : "PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;";
            pragmas.ExecuteNonQuery();
            return new SqliteSession(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private string Migrate()
    {
        var folder = Path.GetDirectoryName(FilePath);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        using var session = Open(_connectionString);
        var connection = session.Connection;
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version"), CultureInfo.InvariantCulture);
        if (version > s_migrations.Length)
        {
            throw new InvalidOperationException($"The database {FilePath} has schema version {version}; this version of the app knows up to {s_migrations.Length}. Run a newer version, or restore a backup.");
        }

        // WAL is a property of the file: set once (a read-only file keeps the mode it has).
        if (!string.Equals(Scalar(connection, "PRAGMA journal_mode") as string, "wal", StringComparison.OrdinalIgnoreCase))
        {
            Scalar(connection, "PRAGMA journal_mode = WAL");
        }

        if (version < s_migrations.Length)
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            // Another process may have migrated meanwhile: read the version again inside the write lock.
            version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version"), CultureInfo.InvariantCulture);
            for (var step = version; step < s_migrations.Length; step++)
            {
                Scalar(connection, s_migrations[step]);
            }

            Scalar(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {s_migrations.Length}"));
            transaction.Commit();
            Log.Migrated(_logger, FilePath, version, s_migrations.Length);
        }

        return FilePath;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static partial class Log
    {
        [LoggerMessage(7001, LogLevel.Information, "SQLite database {Path} migrated from schema version {From} to {To}")]
        public static partial void Migrated(ILogger logger, string path, int from, int to);
    }
}

/// <summary>One open connection and its prepared statements; used by one operation at a time.</summary>
public sealed class SqliteSession(SqliteConnection connection) : IDisposable
{
    /// <summary>Prepared statements kept per connection; SQL built from a query's shape is bounded by this.</summary>
    private const int MaxPrepared = 64;

    private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);
    private SqliteTransaction? _transaction;

    public SqliteConnection Connection { get; } = connection;

    /// <summary>True after an error that makes this connection suspect (it is then closed instead of reused).</summary>
    public bool Broken { get; private set; }

    /// <summary>
    /// The prepared statement for <paramref name="sql"/> with parameters named <paramref name="parameters"/>, values
    /// cleared; prepared once per connection.
    /// </summary>
    public SqliteCommand Command(string sql, params ReadOnlySpan<string> parameters)
    {
        if (_prepared.TryGetValue(sql, out var command))
        {
            command.Transaction = _transaction;
            return command;
        }

        command = Connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter(name, null));
        }

        command.Prepare();
        if (_prepared.Count < MaxPrepared)
        {
            _prepared[sql] = command;
        }

        return command;
    }

    /// <summary>Runs <paramref name="work"/> in an IMMEDIATE transaction (the write lock taken at once); committed unless it returns false or throws.</summary>
    public bool Transaction(Func<bool> work)
    {
        using var transaction = _transaction = Connection.BeginTransaction(deferred: false);
        try
        {
            if (!work())
            {
                transaction.Rollback();
                return false;
            }

            transaction.Commit();
            return true;
        }
        catch (SqliteException)
        {
            Broken = true;
            throw;
        }
        finally
        {
            _transaction = null;
        }
    }

    /// <summary>Marks this connection suspect after an error: it is closed instead of reused.</summary>
    public void MarkBroken() => Broken = true;

    public void Dispose()
    {
        foreach (var command in _prepared.Values)
        {
            command.Dispose();
        }

        _prepared.Clear();
        Connection.Dispose();
    }
}
