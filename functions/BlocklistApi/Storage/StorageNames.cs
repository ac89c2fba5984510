namespace BlocklistApi.Storage;

/// <summary>Azure Storage naming rules, so bad names fail at start rather than on the first request.</summary>
public static class StorageNames
{
    public const string TableNameRule = "must be 3 to 63 letters and digits, starting with a letter.";

    public const string PrefixRule = "must be lower-case letters and digits, starting with a letter (it prefixes table and queue names).";

    public static bool IsValidTableName(string? name) =>
        name is { Length: >= 3 and <= 63 } && char.IsAsciiLetter(name[0]) && name.All(char.IsAsciiLetterOrDigit);

    public static bool IsValidPrefix(string? prefix) =>
        prefix is not null && prefix.Length <= 20
        && (prefix.Length == 0 || (char.IsAsciiLetterLower(prefix[0]) && prefix.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c))));

    /// <summary>Table keys may not contain '/', '\', '#', '?' or control characters.</summary>
    public static bool IsValidKey(string key) =>
        key.Length <= 1024 && !key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));

    /// <summary>Free text (a zone's display name) as part of a key: percent-encoded, so '/', '#' and '?' cannot break it.</summary>
    public static string EscapeKey(string text) => Uri.EscapeDataString(text);

    /// <summary>Reads <see cref="EscapeKey"/> back.</summary>
    public static string UnescapeKey(string key) => Uri.UnescapeDataString(key);
}
