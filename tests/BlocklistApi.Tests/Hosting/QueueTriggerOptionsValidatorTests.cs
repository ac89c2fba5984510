using BlocklistApi.Hosting;
using BlocklistApi.Lists;

namespace BlocklistApi.Tests.Hosting;

public sealed class QueueTriggerOptionsValidatorTests
{
    [Fact]
    public void Startup_Defaults_Succeed()
    {
        Assert.True(new QueueTriggerOptionsValidator().Validate(null, new QueueTriggerOptions()).Succeeded);
        Assert.True(new HostedListOptionsValidator().Validate(null, new HostedListOptions()).Succeeded);
    }

    [Fact]
    public void Startup_BatchSizeOutOfRange_FailsNamingTheSettingAndRange()
    {
        var result = new QueueTriggerOptionsValidator().Validate(null, new QueueTriggerOptions { BatchSize = 33 });

        Assert.Contains("Queues:BatchSize must be from 1 to 32 (it is 33).", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Startup_TimeSpansOutOfRange_FailNamingEachSetting()
    {
        var result = new QueueTriggerOptionsValidator().Validate(null, new QueueTriggerOptions
        {
            VisibilityTimeout = TimeSpan.FromSeconds(-1),
            ProcessingTimeout = TimeSpan.Zero,
            MaxPollingInterval = TimeSpan.FromMilliseconds(50),
        });

        Assert.Contains("Queues:VisibilityTimeout must be from 00:00:00 to 7.00:00:00 (it is -00:00:01).", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Queues:ProcessingTimeout", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Queues:MaxPollingInterval", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Startup_ListsRefreshIntervalAboveTenMinutes_Fails() =>
        Assert.Contains("Lists:RefreshInterval", new HostedListOptionsValidator().Validate(null, new HostedListOptions { RefreshInterval = TimeSpan.FromMinutes(11) }).FailureMessage, StringComparison.Ordinal);
}
