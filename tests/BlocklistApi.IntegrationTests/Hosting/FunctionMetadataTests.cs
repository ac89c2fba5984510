using System.Text.Json;
using System.Text.RegularExpressions;
using BlocklistApi.Host.Functions;
using BlocklistApi.Hosting;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;
using Microsoft.Azure.Functions.Worker;
using YamlDotNet.RepresentationModel;

namespace BlocklistApi.IntegrationTests.Hosting;

/// <summary>
/// The Functions app and the OpenAPI document describe the same functions: the worker SDK's generated
/// functions.metadata lists every [Function] of the library with its trigger, extensions.json has each trigger's
/// extension, and every HTTP route (method and auth level) is in openapi/blocklist-api.yaml and nothing else is.
/// </summary>
public sealed partial class FunctionMetadataTests
{
    // Trigger types the Functions host runs without an extension of ours; every other type needs one in extensions.json.
    private static readonly Dictionary<string, string?> s_extensionOf = new(StringComparer.OrdinalIgnoreCase)
    {
        ["httpTrigger"] = null,
        ["timerTrigger"] = null,
        ["queueTrigger"] = "AzureStorageQueues",
        ["blobTrigger"] = "AzureStorageBlobs",
    };

    private static readonly IReadOnlyList<FunctionDescriptor> s_library =
        new FunctionCatalog([new FunctionAssembly(typeof(BlocklistApiHostingExtensions).Assembly)]).Functions;

    [Fact]
    public void FunctionsMetadata_ListsEveryLibraryFunctionWithItsTrigger()
    {
        var metadata = ReadMetadata();

        Assert.Equal(s_library.Select(f => f.Name).Order(), metadata.Keys.Order());
        foreach (var function in s_library)
        {
            var trigger = metadata[function.Name].GetProperty("bindings").EnumerateArray()
                .Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
            if (function.Http is { } http)
            {
                Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
                Assert.Equal(http.Route, trigger.GetProperty("route").GetString());
                Assert.Equal(http.AuthLevel.ToString(), trigger.GetProperty("authLevel").GetString());
                Assert.Equal(http.Methods.Order(), trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!).Order());
            }
            else if (function.Queue is { } queue)
            {
                Assert.Equal("queueTrigger", trigger.GetProperty("type").GetString());
                Assert.Equal(queue.QueueName, trigger.GetProperty("queueName").GetString());
            }
            else if (function.Timer is { } timer)
            {
                Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
                Assert.Equal(timer.Schedule, trigger.GetProperty("schedule").GetString());
            }
        }
    }

    [Fact]
    public void ExtensionsJson_HasTheExtensionOfEveryTriggerType()
    {
        var triggerTypes = ReadMetadata().Values
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray())
            .Select(b => b.GetProperty("type").GetString()!)
            .Where(t => t.EndsWith("Trigger", StringComparison.Ordinal))
            .ToHashSet();
        using var extensions = JsonDocument.Parse(File.ReadAllText(Path.Combine(BuildOutputs.FunctionApp, "extensions.json")));
        var names = extensions.RootElement.GetProperty("extensions").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToHashSet();

        foreach (var type in triggerTypes)
        {
            Assert.True(s_extensionOf.TryGetValue(type, out var extension), $"Trigger type {type} is new: add the extension it needs to this test.");
            if (extension is not null)
            {
                Assert.Contains(extension, names);
            }
        }
    }

    [Fact]
    public void HostJson_RoutePrefixIsEmpty()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(BuildOutputs.FunctionApp, "host.json")));

        Assert.Equal("", host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void OpenApi_HasExactlyTheBuiltRoutesWithTheirAuthLevels()
    {
        var built = new Dictionary<(string Path, string Method), AuthorizationLevel>();
        foreach (var function in ReadMetadata().Values)
        {
            foreach (var binding in function.GetProperty("bindings").EnumerateArray().Where(b => b.GetProperty("type").GetString() == "httpTrigger"))
            {
                var level = Enum.Parse<AuthorizationLevel>(binding.GetProperty("authLevel").GetString()!);
                foreach (var path in ExpandOptional(binding.GetProperty("route").GetString()!))
                {
                    foreach (var method in binding.GetProperty("methods").EnumerateArray())
                    {
                        built[(path, method.GetString()!.ToLowerInvariant())] = level;
                    }
                }
            }
        }

        var documented = ReadOpenApiOperations();

        var missing = built.Keys.Except(documented.Keys).Select(k => $"{k.Method.ToUpperInvariant()} {k.Path}").ToList();
        var extra = documented.Keys.Except(built.Keys).Select(k => $"{k.Method.ToUpperInvariant()} {k.Path}").ToList();
        Assert.True(missing.Count == 0, "Built but not in openapi/blocklist-api.yaml: " + string.Join(", ", missing));
        Assert.True(extra.Count == 0, "In openapi/blocklist-api.yaml but not built: " + string.Join(", ", extra));
        foreach (var (operation, level) in built)
        {
            Assert.True(documented[operation] == level, $"{operation.Method.ToUpperInvariant()} {operation.Path} is {level} in code but {documented[operation]} in the OpenAPI document.");
        }
    }

    // "v1/x/{a}/{b?}" is two routes: /v1/x/{a} and /v1/x/{a}/{b}. Constraints ({b:int}) are dropped. A last optional
    // segment that can only be empty, "{x:maxlength(0)?}", is one route without it: the public page's root route is "/".
    private static IEnumerable<string> ExpandOptional(string route)
    {
        var trimmed = route.TrimStart('/');
        var emptyOnly = EmptyOnlySegmentPattern().Match(trimmed);
        if (emptyOnly.Success)
        {
            trimmed = trimmed[..emptyOnly.Index];
        }

        var normalized = "/" + ConstraintPattern().Replace(trimmed, "{$1$2}");
        var optional = OptionalSegmentPattern().Match(normalized);
        if (!optional.Success)
        {
            return [normalized];
        }

        return [normalized[..optional.Index], normalized.Remove(optional.Index).Insert(optional.Index, optional.Value.Replace("?", "", StringComparison.Ordinal))];
    }

    private static Dictionary<(string Path, string Method), AuthorizationLevel> ReadOpenApiOperations()
    {
        var yaml = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(RepoPaths.OpenApiDocument)))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var defaultLevel = LevelOf((YamlSequenceNode)root["security"]);
        var operations = new Dictionary<(string, string), AuthorizationLevel>();
        foreach (var (pathNode, itemNode) in (YamlMappingNode)root["paths"])
        {
            foreach (var (methodNode, operationNode) in (YamlMappingNode)itemNode)
            {
                var method = ((YamlScalarNode)methodNode).Value!;
                if (method is "parameters" or "summary" or "description")
                {
                    continue;
                }

                var operation = (YamlMappingNode)operationNode;
                var level = operation.Children.TryGetValue("security", out var security) ? LevelOf((YamlSequenceNode)security) : defaultLevel;
                operations[(((YamlScalarNode)pathNode).Value!, method)] = level;
            }
        }

        return operations;
    }

    // The document's security schemes stand for auth levels: none = Anonymous, admin* = Admin, functionKey* = Function.
    // An empty requirement ({}) among others means a key is optional: the route is Anonymous and checks what it gets.
    private static AuthorizationLevel LevelOf(YamlSequenceNode security)
    {
        var requirements = security.Children.OfType<YamlMappingNode>().ToList();
        var schemes = requirements.SelectMany(m => m.Children.Keys).Select(k => ((YamlScalarNode)k).Value!).ToList();
        return schemes.Count == 0 || requirements.Any(r => r.Children.Count == 0) ? AuthorizationLevel.Anonymous
            : schemes.All(s => s.StartsWith("admin", StringComparison.Ordinal)) ? AuthorizationLevel.Admin
            : AuthorizationLevel.Function;
    }

    private static Dictionary<string, JsonElement> ReadMetadata()
    {
        var path = Path.Combine(BuildOutputs.FunctionApp, "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: the FunctionApp must be built (the solution build does it).");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.Clone());
    }

    [GeneratedRegex(@"\{(\*?\w+)(?::[^}?]+)?(\??)\}")]
    private static partial Regex ConstraintPattern();

    [GeneratedRegex(@"/\{\w+\?\}$")]
    private static partial Regex OptionalSegmentPattern();

    [GeneratedRegex(@"(?:^|/)\{\w+:maxlength\(0\)\?\}$")]
    private static partial Regex EmptyOnlySegmentPattern();
}
