using Microsoft.Extensions.Options;

namespace BlocklistApi.Lists;

/// <summary>Checks <see cref="HostedListOptions"/> at start: the ranges on its properties, by the options validation source generator.</summary>
[OptionsValidator]
public sealed partial class HostedListOptionsValidator : IValidateOptions<HostedListOptions>;
