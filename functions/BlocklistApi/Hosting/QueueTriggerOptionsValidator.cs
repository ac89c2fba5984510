using Microsoft.Extensions.Options;

namespace BlocklistApi.Hosting;

/// <summary>Checks <see cref="QueueTriggerOptions"/> at start: the ranges on its properties, by the options validation source generator.</summary>
[OptionsValidator]
public sealed partial class QueueTriggerOptionsValidator : IValidateOptions<QueueTriggerOptions>;
