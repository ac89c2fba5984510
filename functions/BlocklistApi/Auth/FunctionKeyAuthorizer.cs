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
