using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

namespace BlocklistApi.PostfixPolicy;

/// <summary>Checks <see cref="PolicyOptions"/> at start; every message names the environment variable to fix.</summary>
public sealed class PolicyOptionsValidator : IValidateOptions<PolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, PolicyOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Listen) && string.IsNullOrWhiteSpace(options.UnixSocket))
        {
            errors.Add("Set Policy__Listen (e.g. 127.0.0.1:10040) or Policy__UnixSocket (a socket path), or both: there is nothing to listen on.");
        }

        if (!string.IsNullOrWhiteSpace(options.Listen) && !TryParseEndpoint(options.Listen, out _))
        {
            errors.Add($"Policy__Listen must be address:port, e.g. 127.0.0.1:10040 or [::1]:10040 (it is '{options.Listen}').");
        }

        if (!string.IsNullOrWhiteSpace(options.UnixSocket) && !Path.IsPathFullyQualified(options.UnixSocket))
        {
            errors.Add($"Policy__UnixSocket must be an absolute path (it is '{options.UnixSocket}').");
        }

        if (options.ApiBaseUrl is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"Policy__ApiBaseUrl must be the API's absolute http(s) URL, e.g. https://blocklist.example.net (it is '{options.ApiBaseUrl}').");
        }

        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            errors.Add("Policy__ApiKey must be a function key of the API (sent in x-functions-key).");
        }

        if (options.DeferAction is not (PolicyOptions.DeferIfPermit or PolicyOptions.Defer451))
        {
            errors.Add($"Policy__DeferAction must be DEFER_IF_PERMIT or 451 (it is '{options.DeferAction}').");
        }

        if (!Enum.IsDefined(options.FailMode))
        {
            errors.Add($"Policy__FailMode must be dunno or tempfail (it is '{options.FailMode}').");
        }

        if (options.PageUrl is { } page && (!page.IsAbsoluteUri || page.OriginalString.Any(c => c is <= ' ' or >= '\x7f')))
        {
            errors.Add($"Policy__PageUrl must be an absolute URL of printable ASCII without spaces (it is '{options.PageUrl}').");
        }

        AddIfOutside(errors, "Policy__Timeout", options.Timeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(2));
        AddIfOutside(errors, "Policy__IdleTimeout", options.IdleTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        AddIfOutside(errors, "Policy__ReadTimeout", options.ReadTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>"127.0.0.1:10040", "[::1]:10040", "localhost:10040" (loopback), or "0.0.0.0:10040"; port 0 picks a free port.</summary>
    public static bool TryParseEndpoint(string text, out IPEndPoint endpoint)
    {
        endpoint = new IPEndPoint(IPAddress.Loopback, 0);
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return false;
        }

        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            return false;
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            endpoint = new IPEndPoint(IPAddress.Loopback, port);
            return true;
        }

#pragma warning disable RS0030 // A listen address from the operator's own configuration, not a client-supplied address.
        if (!IPAddress.TryParse(host, out var address) || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && host.Count(c => c == '.') != 3))
#pragma warning restore RS0030
        {
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }

    private static void AddIfOutside(List<string> errors, string setting, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{setting} must be from {min} to {max} (it is {value}).");
        }
    }
}
