using BlocklistApi.Hosting;
using BlocklistApi.Net;
using Microsoft.Extensions.Options;

namespace BlocklistApi.RateLimiting;

/// <summary>Checks <see cref="RateLimitOptions"/> at start: its ranges, each trusted proxy, the header name; messages name the setting.</summary>
public sealed class RateLimitOptionsValidator : SettingsValidator<RateLimitOptions, RateLimitOptionsRanges>
{
    /// <summary>The highest per-minute limit accepted (load tests set it high to measure without limiting).</summary>
    public const int MaxPermitsPerMinute = 1_000_000;

    protected override void AddRules(RateLimitOptions options, ValidateOptionsResultBuilder result)
    {
        for (var i = 0; i < options.TrustedProxies.Count; i++)
        {
            if (!IpNetwork.TryParse(options.TrustedProxies[i], out _, out var error))
            {
                result.AddError($"RateLimit:TrustedProxies:{i} must be an address or CIDR range: {error}");
            }
        }

        if (string.IsNullOrWhiteSpace(options.ForwardedForHeader) || !options.ForwardedForHeader.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            result.AddError($"RateLimit:ForwardedForHeader must be a header name such as X-Forwarded-For (it is '{options.ForwardedForHeader}').");
        }
    }
}
