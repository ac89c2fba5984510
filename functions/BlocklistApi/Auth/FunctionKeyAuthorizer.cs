using System.Security.Cryptography;
using System.Text;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Auth;

/// <summary>Decides whether a presented key opens a route of a given <see cref="AuthorizationLevel"/>, as the Functions host does.</summary>
public sealed class FunctionKeyAuthorizer(IOptions<AuthOptions> options)
{
    private readonly byte[][] _functionKeys = options.Value.FunctionKeys.Select(Encoding.UTF8.GetBytes).ToArray();
    private readonly byte[][] _adminKeys = options.Value.AdminKeys.Select(Encoding.UTF8.GetBytes).ToArray();

    public bool IsAuthorized(AuthorizationLevel level, string? presentedKey)
    {
        if (level == AuthorizationLevel.Anonymous)
        {
            return true;
        }

        if (string.IsNullOrEmpty(presentedKey))
        {
            return false;
        }

        var presented = Encoding.UTF8.GetBytes(presentedKey);
        // Admin keys open every level; User and System levels are treated as Admin.
        return Matches(_adminKeys, presented) || (level == AuthorizationLevel.Function && Matches(_functionKeys, presented));
    }

    /// <summary>
    /// The name of the admin key presented ("admin-key-0" for Auth:AdminKeys:0), or null when it is none of them: what
    /// records say an admin did, without the key. Compared in constant time, as <see cref="IsAuthorized"/> does.
    /// </summary>
    public string? AdminKeyName(string? presentedKey)
    {
        if (string.IsNullOrEmpty(presentedKey))
        {
            return null;
        }

        var presented = Encoding.UTF8.GetBytes(presentedKey);
        var index = -1;
        for (var i = 0; i < _adminKeys.Length; i++)
        {
            if (CryptographicOperations.FixedTimeEquals(_adminKeys[i], presented))
            {
                index = i;
            }
        }

        return index < 0 ? null : "admin-key-" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool Matches(byte[][] keys, byte[] presented)
    {
        var found = false;
        foreach (var key in keys)
        {
            // Constant-time comparison, and no early exit, so timing does not reveal a key.
            found |= CryptographicOperations.FixedTimeEquals(key, presented);
        }

        return found;
    }
}
