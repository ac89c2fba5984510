using BlocklistApi.Hosting;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Storage;

/// <summary>
/// Where state lives: <see cref="Provider"/> chooses SQLite (one file on this machine) or Azure Table Storage and
/// Queues. For Azure the account comes from <c>AzureWebJobsStorage</c> (the Functions setting): a connection string
/// (default <c>UseDevelopmentStorage=true</c>, i.e. Azurite) or, in Azure, identity-based settings
/// <c>AzureWebJobsStorage__tableServiceUri</c>, <c>__queueServiceUri</c>, <c>__credential=managedidentity</c>, <c>__clientId</c>.
/// The rest is section <c>Storage</c>.
/// </summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>
    /// <c>sqlite</c> or <c>azure</c>. Default <c>azure</c> here, which the Functions app keeps (and it refuses
    /// <c>sqlite</c>); the self-host sets <c>sqlite</c> as its default (see <c>SelfHost</c>).
    /// </summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Azure;

    /// <summary>The SQLite provider's settings (section <c>Storage:Sqlite</c>).</summary>
    public SqliteStorageOptions Sqlite { get; set; } = new();

    /// <summary>The Functions storage setting's name.</summary>
    public const string ConnectionSettingName = "AzureWebJobsStorage";

    /// <summary>A prefix for every table and queue name, so several deployments (or tests) share an account. Default empty.</summary>
    public string NamePrefix { get; set; } = "";

    /// <summary>
    /// How long one storage operation may take in all, the storage client's own retries included (one deadline, not
    /// timeout times tries). Default 00:00:05. Routes that answer mail servers have shorter budgets of their own
    /// (Greylist:StorageTimeout, ReputationCache:StorageTimeout).
    /// </summary>
    [SettingRange("Storage:Timeout", "00:00:00", "00:05:00", MinimumIsExclusive = true)]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many times a failed storage request is retried. Default 2.</summary>
    [SettingRange("Storage:MaxRetries", 0, 10)]
    public int MaxRetries { get; set; } = 2;

    /// <summary>From <c>AzureWebJobsStorage</c>: the connection string, if the setting is one.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>From <c>AzureWebJobsStorage__tableServiceUri</c> (identity-based connection).</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>From <c>AzureWebJobsStorage__queueServiceUri</c> (identity-based connection).</summary>
    public Uri? QueueServiceUri { get; set; }

    /// <summary>From <c>AzureWebJobsStorage__credential</c>: <c>managedidentity</c>, or empty for the default credential chain.</summary>
    public string? Credential { get; set; }

    /// <summary>From <c>AzureWebJobsStorage__clientId</c>: the user-assigned identity's client id.</summary>
    public string? ClientId { get; set; }
}

/// <summary>The storage providers (<c>Storage:Provider</c>).</summary>
public enum StorageProvider
{
    /// <summary>Azure Table Storage and Queues (or Azurite): shared by every instance.</summary>
    Azure,
    /// <summary>One SQLite database file on this machine: one instance, nothing else to run.</summary>
    Sqlite,
}

/// <summary>How SQLite commits (<c>Storage:Sqlite:Synchronous</c>); both survive the process being killed.</summary>
public enum SqliteSynchronous
{
    /// <summary>
    /// WAL with synchronous=NORMAL: a commit is written to the WAL file (the OS keeps it when the process dies, even by
    /// kill -9), fsync at checkpoints only. A power loss or kernel crash can lose the last commits, never the database.
    /// </summary>
    Normal,
    /// <summary>WAL with synchronous=FULL: an fsync per commit, so commits also survive a power loss (a few ms per write on a disk).</summary>
    Full,
}

/// <summary>The SQLite provider's settings.</summary>
public sealed class SqliteStorageOptions
{
    /// <summary>
    /// The database file, absolute or relative to the content root (the self-host's binary folder). Default
    /// <c>data/blocklist.db</c>; its folder is created. Beside it SQLite keeps <c>-wal</c> and <c>-shm</c> files.
    /// </summary>
    public string Path { get; set; } = "data/blocklist.db";

    /// <summary>Default <see cref="SqliteSynchronous.Normal"/>; see there for what each mode keeps.</summary>
    public SqliteSynchronous Synchronous { get; set; } = SqliteSynchronous.Normal;
}

/// <summary>The ranges on <see cref="StorageOptions"/>, checked by the options validation source generator.</summary>
[OptionsValidator]
public sealed partial class StorageOptionsRanges : IValidateOptions<StorageOptions>;
