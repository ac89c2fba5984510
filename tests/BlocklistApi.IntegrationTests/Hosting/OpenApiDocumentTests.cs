using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using BlocklistApi.Diagnostics;
using BlocklistApi.Greylist;
using BlocklistApi.Lists;
using BlocklistApi.Monitors;
using BlocklistApi.Reputation;
using BlocklistApi.Spf;
using BlocklistApi.Testing;
using BlocklistApi.Zones;
using BlocklistApi.Whitelist;
using YamlDotNet.RepresentationModel;

namespace BlocklistApi.IntegrationTests.Hosting;

/// <summary>
/// openapi/blocklist-api.yaml describes what the code sends, field by field: each response schema has exactly the
/// JSON fields of its C# record with their types, all required (the API always writes every field, null included),
/// nullable exactly where the C# type is; each closed set lists exactly the strings of its C# enum, in order.
/// </summary>
public sealed class OpenApiDocumentTests
{
    private static readonly YamlMappingNode s_schemas = ReadSchemas();

    // Fields whose schema is narrower than their C# type: each is checked against the code by its own test below.
    private static readonly Dictionary<(string Schema, string Field), string> s_narrowed = new()
    {
        [("ReputationReport", "localListing")] = "$ref:LocalListing",
        [("DiagnosticCheck", "name")] = "$ref:DiagnosticCheckName",
        [("GreylistStats", "checks")] = "$ref:GreylistCheckCounts",
    };

    public static TheoryData<string, Type> ResponseSchemas => new()
    {
        { "ReputationReport", typeof(ReputationReport) },
        { "ZoneListing", typeof(ZoneListing) },
        { "HostedListEntry", typeof(HostedListEntry) },
        { "LocalListing", typeof(HostedListEntry) },
        { "HostedListEntries", typeof(HostedListEntries) },
        { "SpfReport", typeof(SpfReport) },
        { "GreylistVerdict", typeof(GreylistVerdict) },
        { "GreylistStats", typeof(GreylistStats) },
        { "DiagnosticCheck", typeof(DiagnosticCheck) },
        { "DiagnosticsReport", typeof(DiagnosticsReport) },
        { "ZoneReports", typeof(ZoneReports) },
        { "ZoneReport", typeof(ZoneReport) },
        { "ZoneProbe", typeof(ZoneProbe) },
        { "MonitoredRanges", typeof(MonitoredRanges) },
        { "MonitoredRange", typeof(MonitoredRange) },
        { "MonitorListing", typeof(MonitorListing) },
        { "WhitelistRequestState", typeof(WhitelistRequestState) },
        { "WhitelistRequestPage", typeof(WhitelistRequestPage) },
        { "WhitelistRequestDetails", typeof(WhitelistRequestDetails) },
        { "WhitelistHistoryEntry", typeof(WhitelistHistoryEntry) },
        { "WhitelistEntrySummary", typeof(WhitelistEntrySummary) },
        { "WhitelistSnapshot", typeof(WhitelistSnapshot) },
        { "WhitelistSnapshotCheck", typeof(WhitelistSnapshotCheck) },
        { "WhitelistSnapshotListing", typeof(WhitelistSnapshotListing) },
    };

    public static TheoryData<string, Type> RequestSchemas => new()
    {
        { "GreylistCheckRequest", typeof(GreylistCheckRequest) },
        { "HostedListEntryRequest", typeof(HostedListEntryRequest) },
        { "MonitorRequest", typeof(MonitorRequest) },
        { "WhitelistRequestSubmission", typeof(WhitelistRequestSubmission) },
        { "WhitelistConfirmation", typeof(WhitelistConfirmation) },
        { "WhitelistDecisionRequest", typeof(WhitelistDecisionRequest) },
    };

    public static TheoryData<string, Type> Enums => new()
    {
        { "Verdict", typeof(Verdict) },
        { "ZoneKind", typeof(ZoneKind) },
        { "ZoneStatus", typeof(ZoneStatus) },
        { "ListingSource", typeof(ListingSource) },
        { "HostedListKind", typeof(HostedListKind) },
        { "SpfResult", typeof(SpfResult) },
        { "SpfIdentity", typeof(SpfIdentity) },
        { "GreylistAction", typeof(GreylistAction) },
        { "GreylistReason", typeof(GreylistReason) },
        { "CheckStatus", typeof(CheckStatus) },
        { "ZoneState", typeof(ZoneState) },
        { "WhitelistStatus", typeof(WhitelistStatus) },
        { "WhitelistScope", typeof(WhitelistScope) },
    };

    [Theory]
    [MemberData(nameof(ResponseSchemas))]
    public void ResponseSchema_ComparedWithItsRecord_HasEveryFieldRequiredWithItsTypeAndNullability(string schema, Type record)
    {
        var node = Schema(schema);
        var nullability = new NullabilityInfoContext();
        var fields = record.GetProperties().ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name));

        Assert.Equal(fields.Keys.Order(), Properties(node).Keys.Order());
        Assert.Equal(fields.Keys.Order(), Sequence(node, "required").Order());
        foreach (var (name, property) in fields)
        {
            var documented = Properties(node)[name];
            var nullable = nullability.Create(property).ReadState == NullabilityState.Nullable;
            Assert.True(nullable == IsNullable(documented), $"{schema}.{name}: nullable is {nullable} in code but {IsNullable(documented)} in the document.");
            var expected = s_narrowed.TryGetValue((schema, name), out var narrowed) ? narrowed : TypeOf(property.PropertyType);
            Assert.True(expected == TypeOf(documented), $"{schema}.{name}: {expected} in code but {TypeOf(documented)} in the document.");
        }
    }

    [Theory]
    [MemberData(nameof(RequestSchemas))]
    public void RequestSchema_ComparedWithItsRecord_HasExactlyItsFields(string schema, Type record)
    {
        var fields = record.GetProperties().Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name));

        Assert.Equal(fields.Order(), Properties(Schema(schema)).Keys.Order());
    }

    [Theory]
    [MemberData(nameof(Enums))]
    public void EnumSchema_ComparedWithItsEnum_ListsExactlyTheStringsTheCodeWrites(string schema, Type type)
    {
        var written = type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name);

        Assert.Equal("string", Scalar(Schema(schema), "type"));
        Assert.Equal(written, Sequence(Schema(schema), "enum"));
    }

    [Fact]
    public void DiagnosticCheckName_ListsTheChecksInTheOrderOfTheReport() =>
        Assert.Equal(DiagnosticsService.CheckNames, Sequence(Schema("DiagnosticCheckName"), "enum"));

    [Fact]
    public void GreylistCheckCounts_HasEveryReasonRequired()
    {
        var node = Schema("GreylistCheckCounts");
        var reasons = Sequence(Schema("GreylistReason"), "enum");

        Assert.Equal(reasons, Properties(node).Keys);
        Assert.Equal(reasons, Sequence(node, "required"));
        Assert.All(Properties(node).Values, p => Assert.Equal("integer/int64", TypeOf(p)));
    }

    [Fact]
    public void LocalListing_IsANullableHostedListEntry()
    {
        Assert.True(IsNullable(Schema("LocalListing")));
        Assert.False(IsNullable(Schema("HostedListEntry")));
    }

    // The JSON the code writes for a C# type, in the document's words.
    private static string TypeOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum || (type.IsClass && type != typeof(string) && type != typeof(object) && !type.IsGenericType))
        {
            return "$ref:" + type.Name;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            return "array of " + TypeOf(type.GetGenericArguments()[0]);
        }

        return type switch
        {
            _ when type == typeof(string) => "string",
            _ when type == typeof(int) => "integer/int32",
            _ when type == typeof(long) => "integer/int64",
            _ when type == typeof(double) => "number/double",
            _ when type == typeof(bool) => "boolean",
            _ when type == typeof(DateTimeOffset) => "string/date-time",
            _ when type == typeof(object) => "object",
            _ => throw new InvalidOperationException($"{type} has no JSON mapping in this test; add it."),
        };
    }

    private static string TypeOf(YamlMappingNode property)
    {
        if (property.Children.TryGetValue("$ref", out var reference))
        {
            return "$ref:" + ((YamlScalarNode)reference).Value!.Split('/')[^1];
        }

        var type = Scalar(property, "type");
        if (type == "array")
        {
            return "array of " + TypeOf((YamlMappingNode)property["items"]);
        }

        return property.Children.TryGetValue("format", out var format) ? $"{type}/{((YamlScalarNode)format).Value}" : type;
    }

    // Nullable on the field itself, or a reference to a nullable schema (LocalListing).
    private static bool IsNullable(YamlMappingNode property) =>
        property.Children.TryGetValue("nullable", out var nullable) ? ((YamlScalarNode)nullable).Value == "true"
        : property.Children.TryGetValue("$ref", out var reference) && IsNullable(Schema(((YamlScalarNode)reference).Value!.Split('/')[^1]));

    private static YamlMappingNode Schema(string name)
    {
        Assert.True(s_schemas.Children.ContainsKey(name), $"components.schemas has no {name}.");
        return (YamlMappingNode)s_schemas[name];
    }

    private static Dictionary<string, YamlMappingNode> Properties(YamlMappingNode schema) =>
        ((YamlMappingNode)schema["properties"]).Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => (YamlMappingNode)p.Value);

    private static List<string> Sequence(YamlMappingNode node, string key) =>
        ((YamlSequenceNode)node[key]).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    private static YamlMappingNode ReadSchemas()
    {
        var yaml = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(RepoPaths.OpenApiDocument)))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        return (YamlMappingNode)((YamlMappingNode)root["components"])["schemas"];
    }
}
