using System.Diagnostics.CodeAnalysis;

namespace BlocklistApi.Notifications;

/// <summary>An Azure Communication Services connection string: <c>endpoint=https://NAME.communication.azure.com/;accesskey=BASE64</c>.</summary>
/// <param name="Endpoint">The resource's endpoint.</param>
/// <param name="AccessKey">The decoded access key, the HMAC-SHA256 key.</param>
public sealed record AcsConnectionString(Uri Endpoint, byte[] AccessKey)
{
    /// <summary>Parses the two parts (names case-insensitive, in any order); the error says what is wrong, never the key.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out AcsConnectionString? connection, out string error)
    {
        connection = null;
        string? endpoint = null;
        string? key = null;
        foreach (var part in (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var name = part[..equals].Trim();
            if (name.Equals("endpoint", StringComparison.OrdinalIgnoreCase))
            {
                endpoint = part[(equals + 1)..].Trim();
            }
            else if (name.Equals("accesskey", StringComparison.OrdinalIgnoreCase))
            {
                key = part[(equals + 1)..].Trim();
            }
        }

        if (!IsValidEndpoint(endpoint))
        {
            error = "must have endpoint=https://NAME.communication.azure.com/ (an absolute http(s) URL).";
            return false;
        }

        var bytes = new byte[((key?.Length ?? 0) * 3 / 4) + 3];
        if (string.IsNullOrEmpty(key) || !Convert.TryFromBase64String(key, bytes, out var length) || length == 0)
        {
            error = "must have accesskey= with the resource's base64 access key.";
            return false;
        }

        connection = new AcsConnectionString(new Uri(endpoint!), bytes[..length]);
        error = "";
        return true;
    }

    /// <summary>An absolute http(s) URL without query or fragment (http only makes sense for a loopback test endpoint).</summary>
    public static bool IsValidEndpoint([NotNullWhen(true)] string? endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && uri.Query.Length == 0 && uri.Fragment.Length == 0;
}
