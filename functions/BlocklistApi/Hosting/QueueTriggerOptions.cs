namespace BlocklistApi.Hosting;

/// <summary>
/// How the self-host polls queues, mirroring host.json <c>extensions.queues</c> of the Functions host (which ignores
/// this section). Section <c>Queues</c>.
/// </summary>
public sealed class QueueTriggerOptions
{
    public const string SectionName = "Queues";

    /// <summary>Messages fetched per poll. Default 16, as in Functions.</summary>
    [SettingRange("Queues:BatchSize", 1, 32)]
    public int BatchSize { get; set; } = 16;

    /// <summary>Attempts before a message moves to <c>&lt;queue&gt;-poison</c>. Default 5, as in Functions.</summary>
    [SettingRange("Queues:MaxDequeueCount", 1, 1000)]
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>How long a failed message stays invisible before it is retried. Default 00:00:00, as in Functions.</summary>
    [SettingRange("Queues:VisibilityTimeout", "00:00:00", "7.00:00:00")]
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>How long a message is hidden from other pollers while it is processed. Default 00:10:00, as in Functions.</summary>
    [SettingRange("Queues:ProcessingTimeout", "00:00:01", "7.00:00:00")]
    public TimeSpan ProcessingTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The longest wait between polls of an empty queue (polling backs off up to it). Default 00:00:02.</summary>
    [SettingRange("Queues:MaxPollingInterval", "00:00:00.1", "1.00:00:00")]
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromSeconds(2);
}
