using Microsoft.Extensions.Options;

namespace BlocklistApi.Auth;

/// <summary>Checks <see cref="AuthOptions"/> at start.</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        Check(options.FunctionKeys, "Auth:FunctionKeys", failures);
        Check(options.AdminKeys, "Auth:AdminKeys", failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(IList<string> keys, string setting, List<string> failures)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(keys[i]) || keys[i].Any(char.IsWhiteSpace) || keys[i].Length > 256)
            {
                failures.Add($"{setting}:{i} must be a non-empty key without spaces, at most 256 characters.");
            }
        }
    }
}
