using Microsoft.Extensions.Options;

namespace BlocklistApi.Hosting;

/// <summary>Checks <see cref="QueueTriggerOptions"/> at start.</summary>
public sealed class QueueTriggerOptionsValidator : IValidateOptions<QueueTriggerOptions>
{
    public ValidateOptionsResult Validate(string? name, QueueTriggerOptions options)
    {
        var failures = new List<string>();
        if (options.BatchSize is < 1 or > 32)
        {
            failures.Add($"Queues:BatchSize must be from 1 to 32 (it is {options.BatchSize}).");
        }

        if (options.MaxDequeueCount < 1)
        {
            failures.Add($"Queues:MaxDequeueCount must be at least 1 (it is {options.MaxDequeueCount}).");
        }

        if (options.VisibilityTimeout < TimeSpan.Zero || options.VisibilityTimeout > TimeSpan.FromDays(7))
        {
            failures.Add($"Queues:VisibilityTimeout must be from 00:00:00 to 7.00:00:00 (it is {options.VisibilityTimeout}).");
        }

        if (options.ProcessingTimeout < TimeSpan.FromSeconds(1) || options.ProcessingTimeout > TimeSpan.FromDays(7))
        {
            failures.Add($"Queues:ProcessingTimeout must be from 00:00:01 to 7.00:00:00 (it is {options.ProcessingTimeout}).");
        }

        if (options.MaxPollingInterval < TimeSpan.FromMilliseconds(100))
        {
            failures.Add($"Queues:MaxPollingInterval must be at least 00:00:00.1 (it is {options.MaxPollingInterval}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
