using BlocklistApi.Net;
using Microsoft.Extensions.Options;

namespace BlocklistApi.RateLimiting;

/// <summary>Checks <see cref="RateLimitOptions"/> at start; messages name the setting.</summary>
public sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    /// <summary>The highest per-minute limit accepted (load tests set it high to measure without limiting).</summary>
    public const int MaxPermitsPerMinute = 1_000_000;

    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var failures = new List<string>();
        if (options.PermitsPerMinute is < 1 or > MaxPermitsPerMinute)
        {
            failures.Add($"RateLimit:PermitsPerMinute must be from 1 to {MaxPermitsPerMinute} (it is {options.PermitsPerMinute}).");
        }

        if (options.PagePermitsPerMinute is < 1 or > MaxPermitsPerMinute)
        {
            failures.Add($"RateLimit:PagePermitsPerMinute must be from 1 to {MaxPermitsPerMinute} (it is {options.PagePermitsPerMinute}).");
        }

        if (options.Ipv6PrefixLength is < 32 or > 128)
        {
            failures.Add($"RateLimit:Ipv6PrefixLength must be from 32 to 128 (it is {options.Ipv6PrefixLength}).");
        }

        for (var i = 0; i < options.TrustedProxies.Count; i++)
        {
            if (!IpNetwork.TryParse(options.TrustedProxies[i], out _, out var error))
            {
                failures.Add($"RateLimit:TrustedProxies:{i} must be an address or CIDR range: {error}");
            }
        }

        if (string.IsNullOrWhiteSpace(options.ForwardedForHeader) || !options.ForwardedForHeader.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            failures.Add($"RateLimit:ForwardedForHeader must be a header name such as X-Forwarded-For (it is '{options.ForwardedForHeader}').");
        }

        if (options.MaxTrackedClients < 100)
        {
            failures.Add($"RateLimit:MaxTrackedClients must be at least 100 (it is {options.MaxTrackedClients}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
