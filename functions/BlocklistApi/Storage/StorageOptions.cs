using BlocklistApi.Hosting;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Storage;

/// <summary>
/// Where state lives. The account comes from <c>AzureWebJobsStorage</c> (the Functions setting): a connection string
/// (default <c>UseDevelopmentStorage=true</c>, i.e. Azurite) or, in Azure, identity-based settings
/// <c>AzureWebJobsStorage__tableServiceUri</c>, <c>__queueServiceUri</c>, <c>__credential=managedidentity</c>, <c>__clientId</c>.
/// The rest is section <c>Storage</c>.
/// </summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

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

/// <summary>The ranges on <see cref="StorageOptions"/>, checked by the options validation source generator.</summary>
[OptionsValidator]
public sealed partial class StorageOptionsRanges : IValidateOptions<StorageOptions>;
