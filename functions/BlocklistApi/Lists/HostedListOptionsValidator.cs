using Microsoft.Extensions.Options;

namespace BlocklistApi.Lists;

/// <summary>Checks <see cref="HostedListOptions"/> at start.</summary>
public sealed class HostedListOptionsValidator : IValidateOptions<HostedListOptions>
{
    public ValidateOptionsResult Validate(string? name, HostedListOptions options) =>
        options.RefreshInterval < TimeSpan.Zero || options.RefreshInterval > TimeSpan.FromMinutes(10)
            ? ValidateOptionsResult.Fail($"Lists:RefreshInterval must be from 00:00:00 to 00:10:00 (it is {options.RefreshInterval}).")
            : ValidateOptionsResult.Success;
}
