using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Storage;
using BlocklistApi.Testing;

namespace BlocklistApi.IntegrationTests.Infra;

/// <summary>
/// What the app reads and uses, found in the code itself rather than copied into a test: the settings of every options
/// class (by reflection over its bindable properties) and of the triggers (%Setting% in the generated function
/// metadata), the tables (TableName constants and options defaults) and the queues (queue constants and queue triggers).
/// </summary>
public static partial class AppInventory
{
    /// <summary>The library with every feature, which both hosts run.</summary>
    private static Assembly Library => typeof(StorageOptions).Assembly;

    /// <summary>The options classes: those with a <c>public const string SectionName</c>.</summary>
    public static IReadOnlyList<Type> OptionsTypes { get; } = Library.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && SectionOf(t) is not null)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToList();

    /// <summary>
    /// Every setting of every options class as an app setting name (<c>Greylist__Delay</c>); an element of a list is
    /// <c>__N</c> (<c>Dns__Servers__N</c>, <c>Dnsbl__Zones__N__Zone</c>). Properties without a public setter are
    /// filled by the app, not bound (<c>Whitelist:PageUrl</c> comes from <c>PublicPage:Url</c>).
    /// </summary>
    public static SortedSet<string> OptionsSettings()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in OptionsTypes)
        {
            Walk(type, SectionOf(type)!, names);
        }

        return names;
    }

    /// <summary>The settings the triggers name as <c>%Section:Key%</c>, as app setting names.</summary>
    public static SortedSet<string> TriggerSettings() =>
        new(
            Bindings()
                .SelectMany(b => b.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).Select(p => p.Value.GetString()!))
                .Where(v => v.Length > 2 && v[0] == '%' && v[^1] == '%')
                .Select(v => v[1..^1].Replace(":", "__", StringComparison.Ordinal)),
            StringComparer.Ordinal);

    /// <summary>
    /// The tables: every <c>const string TableName</c> (stores with a fixed table) and the default of every options
    /// class's <c>TableName</c> property (stores whose table is a setting).
    /// </summary>
    public static SortedSet<string> Tables()
    {
        var constants = Library.GetTypes()
            .Select(t => t.GetField("TableName", BindingFlags.Public | BindingFlags.Static))
            .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string))
            .Select(f => (string)f!.GetRawConstantValue()!);
        var defaults = OptionsTypes
            .Where(t => t.GetProperty("TableName") is { PropertyType: var type } && type == typeof(string))
            .Select(t => (string)t.GetProperty("TableName")!.GetValue(Activator.CreateInstance(t))!);
        return new SortedSet<string>(constants.Concat(defaults), StringComparer.Ordinal);
    }

    /// <summary>The queue constants (<c>const string</c> fields named <c>…Queue</c> or <c>QueueName</c>): field name → queue.</summary>
    public static IReadOnlyDictionary<string, string> QueueConstants() =>
        Library.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string) && (f.Name.EndsWith("Queue", StringComparison.Ordinal) || f.Name == "QueueName"))
            .ToDictionary(f => $"{f.DeclaringType!.Name}.{f.Name}", f => (string)f.GetRawConstantValue()!, StringComparer.Ordinal);

    /// <summary>The queues the queue triggers read (the generated function metadata).</summary>
    public static SortedSet<string> TriggeredQueues() =>
        new(
            Bindings().Where(b => b.GetProperty("type").GetString() == "queueTrigger").Select(b => b.GetProperty("queueName").GetString()!),
            StringComparer.Ordinal);

    /// <summary>
    /// The first argument of every <c>tables.XxxAsync(</c> and <c>queues.XxxAsync(</c> call in the library's source
    /// (the storage providers themselves excluded), with the file: what the reflection above must cover.
    /// </summary>
    public static IReadOnlyList<(string File, string Kind, string Argument)> StorageCallArguments()
    {
        var root = Path.Combine(RepoPaths.Root, "functions", "BlocklistApi");
        var calls = new List<(string, string, string)>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(file);
            if (name.EndsWith("TableStorage.cs", StringComparison.Ordinal) || name.EndsWith("QueueStorage.cs", StringComparison.Ordinal)
                || file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }

            var text = File.ReadAllText(file);
            foreach (Match call in StorageCall().Matches(text))
            {
                calls.Add((Path.GetRelativePath(root, file), call.Groups["kind"].Value, call.Groups["argument"].Value));
            }

            foreach (Match field in TableNameField().Matches(text))
            {
                calls.Add((Path.GetRelativePath(root, file), "_tableName =", field.Groups["value"].Value.Trim()));
            }
        }

        return calls;
    }

    private static string? SectionOf(Type type) =>
        type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field && field.FieldType == typeof(string)
            ? (string)field.GetRawConstantValue()!
            : null;

    private static void Walk(Type type, string prefix, ISet<string> names)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            var name = $"{prefix}__{property.Name}";
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (IsLeaf(propertyType))
            {
                if (property.SetMethod is { IsPublic: true })
                {
                    names.Add(name);
                }
            }
            else if (ElementOf(propertyType) is { } element)
            {
                if (IsLeaf(element))
                {
                    names.Add(name + "__N");
                }
                else
                {
                    Walk(element, name + "__N", names);
                }
            }
            else if (propertyType.Assembly == Library)
            {
                Walk(propertyType, name, names);
            }
            else
            {
                throw new InvalidOperationException($"{type.Name}.{property.Name} is a {propertyType}: teach AppInventory how it binds.");
            }
        }
    }

    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan) || type == typeof(Uri) || type == typeof(decimal);

    private static Type? ElementOf(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(IList<>) || definition == typeof(List<>) || definition == typeof(IReadOnlyList<>))
            ? type.GetGenericArguments()[0]
            : null;

    private static List<JsonElement> Bindings()
    {
        using var metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(BuildOutputs.FunctionApp, "functions.metadata")));
        return metadata.RootElement.EnumerateArray()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray())
            .Select(b => b.Clone())
            .ToList();
    }

    [GeneratedRegex(@"\b_?(?<kind>tables|queues)\.\w+Async\(\s*(?<argument>[\w.]+)")]
    private static partial Regex StorageCall();

    [GeneratedRegex(@"\b_tableName\s*=\s*(?<value>[^;]+);")]
    private static partial Regex TableNameField();
}
