
namespace BlocklistApi.Host.Functions;

/// <summary>Resolves "%Setting%" in trigger attributes from configuration, as the Functions host does.</summary>
internal static class SettingNames
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
