using BlocklistApi.Testing;
using YamlDotNet.RepresentationModel;

namespace BlocklistApi.IntegrationTests.Spf;

/// <summary>One case of the openspf suite: the inputs, the acceptable results and, when given, the exact explanation.</summary>
public sealed record SpfSuiteCase(string Scenario, string Name, string Host, string MailFrom, string Helo, IReadOnlyList<string> Results, string? Explanation)
{
    public string Id => $"{Scenario}/{Name}";
}

/// <summary>One YAML document of the suite: its cases and the DNS data they are evaluated against.</summary>
public sealed record SpfSuiteScenario(string Description, IReadOnlyList<SpfSuiteCase> Cases, YamlMappingNode ZoneData);

/// <summary>
/// The openspf RFC 7208 test suite (pyspf's test/rfc7208-tests.yml), read where it lies at test time and never copied
/// into the repository: SPF_SUITE (the file, or a folder holding rfc7208-tests.yml), else shared/conformance/spf.
/// </summary>
public static class SpfSuite
{
    public const string FileName = "rfc7208-tests.yml";

    private static readonly Lazy<List<SpfSuiteScenario>> s_scenarios = new(Load);

    public static string Location
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("SPF_SUITE");
            var path = string.IsNullOrWhiteSpace(configured) ? Path.Combine(RepoPaths.SharedConformance, "spf") : configured;
            return Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        }
    }

    /// <summary>Why the suite cannot run, or null when it can.</summary>
    public static string? Unavailable => File.Exists(Location)
        ? null
        : $"The openspf SPF test suite was not found at {Location}; set SPF_SUITE to {FileName} or its folder.";

    public static IReadOnlyList<SpfSuiteScenario> Scenarios => s_scenarios.Value;

    public static SpfSuiteCase Case(string id) =>
        Scenarios.SelectMany(s => s.Cases).Single(c => c.Id == id);

    public static SpfSuiteScenario ScenarioOf(SpfSuiteCase suiteCase) =>
        Scenarios.Single(s => s.Description == suiteCase.Scenario);

    /// <summary>
    /// Serves a scenario's zone data with the conventions of pyspf's reference driver (test/testspf.py):
    /// SPF entries are also served as TXT unless the name has a TXT entry of its own (TXT: NONE included); NONE means no
    /// record; a bare TIMEOUT makes every query of the name time out except for the types listed before it.
    /// </summary>
    public static void Serve(LoopbackDnsServer server, YamlMappingNode zoneData)
    {
        foreach (var (nameNode, entriesNode) in zoneData.Children)
        {
            var name = ((YamlScalarNode)nameNode).Value!;
            var entries = (YamlSequenceNode)entriesNode;
            var hasTxt = entries.OfType<YamlMappingNode>().Any(e => Key(e) == "TXT");
            var generated = new List<string[]>();
            var answeredBeforeTimeout = new List<ushort>();
            foreach (var entry in entries)
            {
                if (entry is YamlScalarNode { Value: "TIMEOUT" })
                {
                    server.SetTimeout(name, [.. answeredBeforeTimeout]);
                    break;
                }

                var mapping = (YamlMappingNode)entry;
                var type = Key(mapping);
                var value = mapping.Children.Single().Value;
                if (value is YamlScalarNode { Value: "NONE" })
                {
                    continue;
                }

                if (value is YamlScalarNode { Value: "TIMEOUT" })
                {
                    throw new NotSupportedException($"{name}: a per-type TIMEOUT value ({type}) is not supported by this driver.");
                }

                var recordType = Add(server, name, type, value);
                answeredBeforeTimeout.Add(recordType);
                if (type == "SPF" && !hasTxt)
                {
                    generated.Add(Strings(value));
                }
            }

            foreach (var strings in generated)
            {
                server.AddTxt(name, strings);
            }
        }
    }

    private static ushort Add(LoopbackDnsServer server, string name, string type, YamlNode value)
    {
        switch (type)
        {
            case "A":
                server.AddA(name, Scalar(value));
                return LoopbackDnsServer.TypeA;
            case "AAAA":
                server.AddAaaa(name, Scalar(value));
                return LoopbackDnsServer.TypeAaaa;
            case "MX":
                var mx = (YamlSequenceNode)value;
                server.AddMx(name, ushort.Parse(Scalar(mx[0]), System.Globalization.CultureInfo.InvariantCulture), Scalar(mx[1]));
                return LoopbackDnsServer.TypeMx;
            case "PTR":
                server.AddPtr(name, Scalar(value));
                return LoopbackDnsServer.TypePtr;
            case "CNAME":
                server.AddCname(name, Scalar(value));
                return LoopbackDnsServer.TypeCname;
            case "TXT":
                server.AddTxt(name, Strings(value));
                return LoopbackDnsServer.TypeTxt;
            case "SPF":
                server.AddSpf(name, Strings(value));
                return LoopbackDnsServer.TypeSpf;
            default:
                throw new NotSupportedException($"{name}: record type {type} is not supported by this driver.");
        }
    }

    private static string Key(YamlMappingNode entry) => ((YamlScalarNode)entry.Children.Single().Key).Value!;

    private static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value ?? "";

    // A string is one character-string; a list is one record of several strings (joined without spaces by evaluators).
    private static string[] Strings(YamlNode node) => node is YamlSequenceNode list ? [.. list.Select(Scalar)] : [Scalar(node)];

    private static List<SpfSuiteScenario> Load()
    {
        using var reader = new StreamReader(Location);
        var stream = new YamlStream();
        stream.Load(reader);
        var scenarios = new List<SpfSuiteScenario>();
        foreach (var document in stream.Documents)
        {
            var root = (YamlMappingNode)document.RootNode;
            var description = Scalar(root["description"]);
            var cases = new List<SpfSuiteCase>();
            foreach (var (nameNode, caseNode) in (YamlMappingNode)root["tests"])
            {
                var test = (YamlMappingNode)caseNode;
                var result = test["result"];
                var results = result is YamlSequenceNode list ? list.Select(Scalar).ToList() : [Scalar(result)];
                var explanation = test.Children.TryGetValue(new YamlScalarNode("explanation"), out var text) ? Scalar(text) : null;
                cases.Add(new SpfSuiteCase(description, Scalar(nameNode), Scalar(test["host"]), Scalar(test["mailfrom"]), Scalar(test["helo"]), results, explanation));
            }

            scenarios.Add(new SpfSuiteScenario(description, cases, (YamlMappingNode)root["zonedata"]));
        }

        return scenarios;
    }
}
