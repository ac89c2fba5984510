
namespace BlocklistApi.Host.Functions;

/// <summary>A trigger attribute value is either literal or a "%Setting%" reference; this resolves references from configuration, as the Functions host does.</summary>
internal static class SettingReferences
{
    public static string Resolve(string value, IConfiguration configuration)
    {
        if (value.Length > 2 && value[0] == '%' && value[^1] == '%')
        {
            var name = value[1..^1];
            return configuration[name] is { Length: > 0 } resolved
                ? resolved
                : throw new InvalidOperationException($"Setting '{name}' (used as %{name}% in a trigger) is not configured.");
        }

        return value;
    }
}
