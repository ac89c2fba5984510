using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;
using YamlDotNet.RepresentationModel;

namespace BlocklistApi.IntegrationTests.Infra;

/// <summary>
/// azure.yaml and infra/: the Bicep compiles without diagnostics, and the template, evaluated offline by
/// <c>bicep snapshot</c>, creates a Flex Consumption app with identity-based storage and the configuration contract's settings.
/// </summary>
public sealed class InfraTests(InfraFixture infra) : IClassFixture<InfraFixture>
{
    private const string UserPrincipalId = InfraFixture.UserPrincipalId;

    // Built-in role definition ids.
    private static readonly Dictionary<string, string> s_roles = new(StringComparer.Ordinal)
    {
        ["b7e6dc6d-f1e8-4753-8033-0f276bb0955b"] = "Storage Blob Data Owner",
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] = "Storage Queue Data Contributor",
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = "Storage Table Data Contributor",
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = "Monitoring Metrics Publisher",
        ["09976791-48a7-449e-bb21-39d1a415f350"] = "Communication and Email Service Owner",
    };

    [Fact]
    public void BicepBuild_MainTemplate_CompilesWithoutErrorsOrWarnings()
    {
        var build = infra.Build;

        Assert.True(build.ExitCode == 0, build.ToString());
        // Errors and warnings (compiler and linter) go to stderr; none is accepted.
        Assert.True(build.StandardError.Length == 0, build.ToString());
        Assert.NotNull(JsonNode.Parse(build.StandardOutput)!["resources"]);
    }

    [Fact]
    public void CompiledTemplate_FunctionApp_RunsDotnetIsolated10OnItsOwnFlexConsumptionPlan()
    {
        var template = CompiledTemplate();

        var api = Assert.Single(NestedTemplates(template), t => Resources(t).Any(r => Type(r) == "Microsoft.Web/sites"));
        var site = Assert.Single(Resources(api), r => Type(r) == "Microsoft.Web/sites");
        var plan = Assert.Single(Resources(api), r => Type(r) == "Microsoft.Web/serverfarms");
        Assert.Equal("functionapp,linux", (string?)site["kind"]);
        Assert.Equal("FC1", (string?)plan["sku"]!["name"]);
        Assert.Equal("FlexConsumption", (string?)plan["sku"]!["tier"]);
        Assert.True((bool)plan["properties"]!["reserved"]!);
        Assert.Contains("Microsoft.Web/serverfarms", (string?)site["properties"]!["serverFarmId"], StringComparison.Ordinal);
        var runtime = site["properties"]!["functionAppConfig"]!["runtime"]!;
        Assert.Equal("dotnet-isolated", (string?)runtime["name"]);
        Assert.Equal("10.0", (string?)runtime["version"]);
    }

    [Fact]
    public void Snapshot_FunctionApp_IsTaggedAndDeploysFromBlobContainerWithItsIdentity()
    {
        var snapshot = infra.Defaults.EnsureSucceeded();

        var site = Single(snapshot, "Microsoft.Web/sites");
        var plan = Single(snapshot, "Microsoft.Web/serverfarms");
        var identity = Single(snapshot, "Microsoft.ManagedIdentity/userAssignedIdentities");
        var container = Single(snapshot, "Microsoft.Storage/storageAccounts/blobServices/containers");
        Assert.Equal((string?)plan["id"], (string?)site["properties"]!["serverFarmId"]);
        Assert.Equal("ci", (string?)site["tags"]!["azd-env-name"]);
        Assert.Equal("api", (string?)site["tags"]!["azd-service-name"]);
        Assert.Equal("UserAssigned", (string?)site["identity"]!["type"]);
        Assert.NotNull(site["identity"]!["userAssignedIdentities"]![(string)identity["id"]!]);

        var config = site["properties"]!["functionAppConfig"]!;
        var deployment = config["deployment"]!["storage"]!;
        Assert.Equal("blobContainer", (string?)deployment["type"]);
        Assert.EndsWith($"primaryEndpoints.blob, '{Name(container)}')]", (string?)deployment["value"], StringComparison.Ordinal);
        Assert.Equal("UserAssignedIdentity", (string?)deployment["authentication"]!["type"]);
        Assert.Equal((string?)identity["id"], (string?)deployment["authentication"]!["userAssignedIdentityResourceId"]);
        Assert.Equal(2048, (int)config["scaleAndConcurrency"]!["instanceMemoryMB"]!);
        Assert.Equal(100, (int)config["scaleAndConcurrency"]!["maximumInstanceCount"]!);
    }

    [Fact]
    public void Snapshot_AppSettings_UseIdentityBasedStorageAndEntraTelemetry()
    {
        var snapshot = infra.Defaults.EnsureSucceeded();

        var settings = AppSettings(snapshot);
        var identity = (string)Single(snapshot, "Microsoft.ManagedIdentity/userAssignedIdentities")["id"]!;
        var storage = (string)Single(snapshot, "Microsoft.Storage/storageAccounts")["id"]!;
        var insights = (string)Single(snapshot, "Microsoft.Insights/components")["id"]!;
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Matches($"^\\[{Reference(identity, "clientId")}\\]$", settings["AzureWebJobsStorage__clientId"]);
        Assert.Matches($"^\\[{Reference(storage, "primaryEndpoints.blob")}\\]$", settings["AzureWebJobsStorage__blobServiceUri"]);
        Assert.Matches($"^\\[{Reference(storage, "primaryEndpoints.queue")}\\]$", settings["AzureWebJobsStorage__queueServiceUri"]);
        Assert.Matches($"^\\[{Reference(storage, "primaryEndpoints.table")}\\]$", settings["AzureWebJobsStorage__tableServiceUri"]);
        Assert.Matches($"^\\[{Reference(insights, "ConnectionString")}\\]$", settings["APPLICATIONINSIGHTS_CONNECTION_STRING"]);
        Assert.Matches(
            $"^\\[format\\('ClientId=\\{{0}};Authorization=AAD', {Reference(identity, "clientId")}\\)\\]$",
            settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.Equal("true", settings["AzureWebJobsDisableHomepage"]);
        // No connection string, and nothing Flex Consumption rejects or that only the self-host reads.
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.DoesNotContain(settings.Values, v => v.Contains("AccountKey", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", settings.Keys);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", settings.Keys);
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("Auth__", StringComparison.Ordinal));
    }

    [Fact]
    public void Snapshot_DefaultParameters_SetContractDefaultsAndNoServersOrZones()
    {
        var snapshot = infra.Defaults.EnsureSucceeded();

        var contract = ContractSettings(snapshot);

        Assert.Equal(
            new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["Dns__Timeout"] = "00:00:02",
                ["Dns__UseCache"] = "true",
                // The Communication Services resource's host name, known at deployment.
                ["Email__Acs__Endpoint"] = $"[format('https://{{0}}/', {ReferenceTo(Single(snapshot, "Microsoft.Communication/communicationServices"))}.hostName)]",
                // The Azure-managed domain's default sender.
                ["Email__From"] = $"[format('DoNotReply@{{0}}', {ReferenceTo(Single(snapshot, "Microsoft.Communication/emailServices/domains"))}.mailFromSenderDomain)]",
                ["Email__Transport"] = "acs",
                ["Greylist__PurgeSchedule"] = "0 30 3 * * *",
                ["Monitors__MaxAddresses"] = "1024",
                ["Monitors__Schedule"] = "0 */15 * * * *",
                ["Notifications__AdminEmails__0"] = "postmaster@example.net",
                ["Notifications__AdminEmails__1"] = "abuse@example.net",
                // The page is served by the app itself: its own address is the default base of the links in mails.
                ["PublicPage__Url"] = $"https://{Name(Single(snapshot, "Microsoft.Web/sites"))}.azurewebsites.net/",
                ["ReputationCache__Enabled"] = "true",
                ["ReputationCache__FailureTtl"] = "00:00:30",
                ["ReputationCache__RefreshBatch"] = "1000",
                ["ReputationCache__RefreshSchedule"] = "0 * * * * *",
                ["Whitelist__LinkLifetime"] = "2.00:00:00",
                // A secure parameter: the snapshot (like the deployment history) shows the reference, never the value.
                ["Whitelist__LinkSecret"] = "[parameters('whitelistLinkSecret')]",
                ["ZoneHealth__FailuresToDisable"] = "3",
                ["ZoneHealth__PassesToEnable"] = "2",
                ["ZoneHealth__Schedule"] = "0 */2 * * * *",
            },
            contract);
    }

    [Fact]
    public void Snapshot_DefaultParameters_ResolveEveryPercentSettingOfTheFunctions()
    {
        var settings = AppSettings(infra.Defaults.EnsureSucceeded());
        using var metadata = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(BuildOutputs.FunctionApp, "functions.metadata")));
        var referenced = metadata.RootElement.EnumerateArray()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray())
            .SelectMany(b => b.EnumerateObject().Where(p => p.Value.ValueKind == System.Text.Json.JsonValueKind.String).Select(p => p.Value.GetString()!))
            .Where(v => v.Length > 2 && v[0] == '%' && v[^1] == '%')
            .Select(v => v[1..^1].Replace(":", "__", StringComparison.Ordinal))
            .ToList();

        // A %Setting% that does not resolve stops the Functions host from indexing that function.
        Assert.NotEmpty(referenced);
        Assert.All(referenced, name => Assert.True(settings.ContainsKey(name), $"Trigger setting {name} is not an app setting of the template."));
    }

    [Fact]
    public async Task InfraReadme_SettingsTable_ListsEverySettingTheCodeReadsAndWhetherTheTemplateSetsIt()
    {
        var documented = await DocumentedSettingsAsync();
        var read = AppInventory.OptionsSettings().Union(AppInventory.TriggerSettings()).ToList();
        // Both parameter sets: lists (servers, zones) and optional settings appear only when given.
        var set = AppSettings(infra.Defaults.EnsureSucceeded()).Keys.Union(AppSettings(infra.Configured.EnsureSucceeded()).Keys).ToList();

        Assert.True(read.Count > 100, $"Only {read.Count} settings found: the inventory lost the options classes.");
        Assert.All(read, name => Assert.True(documented.ContainsKey(name), $"{name} is read by the code but missing from the table in infra/README.md."));
        Assert.All(set, name => Assert.True(
            documented.Any(d => d.Value == "template" && SettingPattern(d.Key).IsMatch(name)),
            $"The template sets {name}, which infra/README.md does not list as set by the template."));
        Assert.All(documented, d =>
        {
            var pattern = SettingPattern(d.Key);
            Assert.True(d.Value == "template" || read.Contains(d.Key), $"infra/README.md lists {d.Key}, which the code does not read.");
            Assert.True(
                set.Any(pattern.IsMatch) == (d.Value == "template"),
                $"infra/README.md says {d.Key} is '{d.Value}', but the template {(set.Any(pattern.IsMatch) ? "sets" : "does not set")} it.");
        });
    }

    [Fact]
    public void Snapshot_ServersAndZones_BecomeOneSettingPerElementAndField()
    {
        var snapshot = infra.Configured.EnsureSucceeded();

        var contract = ContractSettings(snapshot);

        Assert.Equal(
            new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["Dns__Servers__0"] = "10.0.0.4:53",
                ["Dns__Servers__1"] = "10.0.0.5:5353",
                ["Dns__Timeout"] = "00:00:01.500",
                ["Dns__UseCache"] = "false",
                ["Dnsbl__Zones__0__Zone"] = "zen.spamhaus.org",
                ["Dnsbl__Zones__0__Kind"] = "block",
                ["Dnsbl__Zones__0__Weight"] = "2",
                ["Dnsbl__Zones__1__Zone"] = "list.dnswl.org",
                ["Dnsbl__Zones__1__Kind"] = "allow",
                ["Dnsbl__Zones__1__Weight"] = "1",
                ["Dnsbl__Zones__1__DelistUrl"] = "https://www.dnswl.org/s/?s={ip}",
                ["Dnsbl__Zones__2__Zone"] = "bl.example.net",
                ["Dnsbl__Zones__2__Kind"] = "block",
                ["Dnsbl__Zones__2__Weight"] = "0",
                ["Email__Acs__Endpoint"] = $"[format('https://{{0}}/', {ReferenceTo(Single(snapshot, "Microsoft.Communication/communicationServices"))}.hostName)]",
                ["Email__From"] = "Blocklist <blocklist@mail.example.net>",
                ["Email__Transport"] = "acs",
                ["Greylist__PurgeSchedule"] = "0 0 4 * * *",
                ["Monitors__MaxAddresses"] = "300",
                ["Monitors__Schedule"] = "0 */30 * * * *",
                ["Notifications__AdminEmails__0"] = "postmaster@example.net",
                ["Notifications__AdminEmails__1"] = "abuse@example.net",
                ["PublicPage__Url"] = "https://mail-help.example.com/",
                ["ReputationCache__Enabled"] = "false",
                ["ReputationCache__FailureTtl"] = "00:01:00",
                ["ReputationCache__RefreshBatch"] = "250",
                ["ReputationCache__RefreshSchedule"] = "30 * * * * *",
                ["Whitelist__EntryLifetime"] = "90.00:00:00",
                ["Whitelist__LinkLifetime"] = "1.00:00:00",
                ["Whitelist__LinkSecret"] = "[parameters('whitelistLinkSecret')]",
                ["ZoneHealth__FailuresToDisable"] = "5",
                ["ZoneHealth__PassesToEnable"] = "3",
                ["ZoneHealth__Schedule"] = "0 */5 * * * *",
            },
            contract);
    }

    [Fact]
    public void Snapshot_AcsEmail_AzureManagedDomainLinkedToCommunicationServicesThatTheAppCallsWithItsIdentity()
    {
        var snapshot = infra.Defaults.EnsureSucceeded();

        var emailService = Single(snapshot, "Microsoft.Communication/emailServices");
        var domain = Single(snapshot, "Microsoft.Communication/emailServices/domains");
        var communication = Single(snapshot, "Microsoft.Communication/communicationServices");
        Assert.Equal("global", (string?)emailService["location"]);
        Assert.Equal("global", (string?)communication["location"]);
        // An Azure-managed domain has this fixed name; Azure verifies it, so the app can send at once.
        Assert.Equal($"{Name(emailService)}/AzureManagedDomain", (string?)domain["name"]);
        Assert.Equal("AzureManaged", (string?)domain["properties"]!["domainManagement"]);
        Assert.Equal("Disabled", (string?)domain["properties"]!["userEngagementTracking"]);
        Assert.Equal([(string)domain["id"]!], communication["properties"]!["linkedDomains"]!.AsArray().Select(d => (string)d!));
        // A domain links only to a resource of the same data location.
        Assert.Equal("United States", (string?)emailService["properties"]!["dataLocation"]);
        Assert.Equal("United States", (string?)communication["properties"]!["dataLocation"]);

        var settings = AppSettings(snapshot);
        var identity = (string)Single(snapshot, "Microsoft.ManagedIdentity/userAssignedIdentities")["id"]!;
        Assert.Equal("acs", settings["Email__Transport"]);
        Assert.Equal($"[format('https://{{0}}/', {ReferenceTo(communication)}.hostName)]", settings["Email__Acs__Endpoint"]);
        Assert.Matches($"^\\[{Reference(identity, "clientId")}\\]$", settings["Email__Acs__ClientId"]);
        Assert.Equal(settings["Email__Acs__Endpoint"], (string?)snapshot["outputs"]!["AZURE_COMMUNICATION_SERVICES_ENDPOINT"]);
        Assert.Equal(settings["Email__From"], (string?)snapshot["outputs"]!["AZURE_EMAIL_SENDER"]);
    }

    [Fact]
    public void Snapshot_DataLocationAndFromGiven_BothAcsResourcesUseItAndFromIsTheOverride()
    {
        var snapshot = infra.Configured.EnsureSucceeded();

        Assert.Equal("Europe", (string?)Single(snapshot, "Microsoft.Communication/emailServices")["properties"]!["dataLocation"]);
        Assert.Equal("Europe", (string?)Single(snapshot, "Microsoft.Communication/communicationServices")["properties"]!["dataLocation"]);
        Assert.Equal("Blocklist <blocklist@mail.example.net>", AppSettings(snapshot)["Email__From"]);
    }

    [Fact]
    public void CompiledTemplate_Keys_NoAccessKeyIsReadIntoAnySettingOrOutput()
    {
        var build = infra.Build;
        Assert.True(build.ExitCode == 0, build.ToString());
        var snapshot = infra.Defaults.EnsureSucceeded();

        // list*() is how a template reads a key (listKeys, listConnectionStrings...): none at all, so no key can reach
        // an app setting, an output or the deployment history.
        Assert.DoesNotMatch(@"\blist[A-Z]\w*\(", build.StandardOutput);
        var settings = AppSettings(snapshot);
        Assert.DoesNotContain("Email__Acs__ConnectionString", settings.Keys);
        Assert.DoesNotContain(settings.Values, v => v.Contains("accesskey", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(
            snapshot["outputs"]!.AsObject(),
            o => o.Key.Contains("KEY", StringComparison.Ordinal) || ((string?)o.Value)?.Contains("list", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void LibrarySource_TablesAndQueues_AreNamedOnlyByConstantsAndOptionsTheInventoryReads()
    {
        var constants = AppInventory.QueueConstants();
        var queueFields = constants.Keys.Select(k => k[(k.IndexOf('.', StringComparison.Ordinal) + 1)..]).ToHashSet(StringComparer.Ordinal);
        string[] tableArguments = ["TableName", "_tableName", "_options.TableName"];

        var calls = AppInventory.StorageCallArguments();

        // A table or queue named any other way (a literal, another constant) would be missing from the lists below.
        Assert.Contains(calls, c => c.Kind == "tables");
        Assert.Contains(calls, c => c.Kind == "queues");
        Assert.All(calls, c => Assert.True(
            c.Kind switch
            {
                "tables" => tableArguments.Contains(c.Argument),
                "queues" => queueFields.Contains(c.Argument.Split('.')[^1]),
                _ => c.Argument == "options.Value.TableName",
            },
            $"{c.File}: {c.Kind} {c.Argument} is not a TableName constant, an options TableName or a queue constant."));
    }

    [Fact]
    public void Snapshot_Storage_CreatesEveryTableAndQueueTheCodeUsesWithThePoisonQueues()
    {
        var snapshot = infra.Defaults.EnsureSucceeded();

        var tables = AppInventory.Tables();
        var triggered = AppInventory.TriggeredQueues();
        var written = AppInventory.QueueConstants().Values.ToHashSet(StringComparer.Ordinal);

        Assert.Equal(["Greylist", "HostedLists", "Leases", "Monitors", "ReputationCache", "WhitelistRequests", "ZoneStates"], tables);
        Assert.Equal(["email-outbox", "whitelist-approvals", "whitelist-requests"], triggered);
        // Every queue the code writes has a function that reads it.
        Assert.Subset(triggered.ToHashSet(StringComparer.Ordinal), written);
        // Created by the template: all of them, so a deployment is complete before the first request. The app also
        // creates a missing table or queue on first use (AzureTableStorage, AzureQueueStorage), which covers a renamed
        // table; the Functions host creates its own blob containers (azure-webjobs-hosts, azure-webjobs-secrets) and
        // moves a message that failed Queues' maxDequeueCount times to <queue>-poison.
        Assert.Equal(tables, Children(snapshot, "Microsoft.Storage/storageAccounts/tableServices/tables"));
        Assert.Equal(
            triggered.SelectMany(q => new[] { q, q + "-poison" }).Order(StringComparer.Ordinal),
            Children(snapshot, "Microsoft.Storage/storageAccounts/queueServices/queues"));
        Assert.Equal(
            [Name(Single(snapshot, "Microsoft.Storage/storageAccounts/blobServices/containers"))],
            Children(snapshot, "Microsoft.Storage/storageAccounts/blobServices/containers"));
    }

    [Fact]
    public void Snapshot_StorageAndMonitoring_AcceptOnlyEntraAuthentication()
    {
        var snapshot = infra.Defaults.EnsureSucceeded();

        var account = Single(snapshot, "Microsoft.Storage/storageAccounts")["properties"]!;
        Assert.False((bool)account["allowSharedKeyAccess"]!);
        Assert.False((bool)account["allowBlobPublicAccess"]!);
        Assert.Equal("TLS1_2", (string?)account["minimumTlsVersion"]);
        Single(snapshot, "Microsoft.Storage/storageAccounts/tableServices");
        Single(snapshot, "Microsoft.Storage/storageAccounts/queueServices");
        Assert.Equal("None", (string?)Single(snapshot, "Microsoft.Storage/storageAccounts/blobServices/containers")["properties"]!["publicAccess"]);
        var insights = Single(snapshot, "Microsoft.Insights/components")["properties"]!;
        Assert.True((bool)insights["DisableLocalAuth"]!);
        Assert.Equal((string?)Single(snapshot, "Microsoft.OperationalInsights/workspaces")["id"], (string?)insights["WorkspaceResourceId"]);
    }

    [Fact]
    public void Snapshot_PrincipalGiven_AppAndUserGetStorageDataRolesAndAppPublishesTelemetry()
    {
        var snapshot = infra.Configured.EnsureSucceeded();

        (string, string, string)[] expected =
        [
            ("app", "Storage Blob Data Owner", "storage"),
            ("app", "Storage Queue Data Contributor", "storage"),
            ("app", "Storage Table Data Contributor", "storage"),
            ("app", "Monitoring Metrics Publisher", "insights"),
            ("app", "Communication and Email Service Owner", "communication"),
            ("user", "Storage Blob Data Owner", "storage"),
            ("user", "Storage Queue Data Contributor", "storage"),
            ("user", "Storage Table Data Contributor", "storage"),
        ];
        Assert.Equal(expected.Order(), RoleAssignments(snapshot).Order());
    }

    [Fact]
    public void Snapshot_NoPrincipal_OnlyTheAppGetsRoles()
    {
        var snapshot = infra.Defaults.EnsureSucceeded();

        (string, string, string)[] expected =
        [
            ("app", "Storage Blob Data Owner", "storage"),
            ("app", "Storage Queue Data Contributor", "storage"),
            ("app", "Storage Table Data Contributor", "storage"),
            ("app", "Monitoring Metrics Publisher", "insights"),
            ("app", "Communication and Email Service Owner", "communication"),
        ];
        Assert.Equal(expected.Order(), RoleAssignments(snapshot).Order());
    }

    [Fact]
    public void Snapshot_Outputs_AreUpperSnakeAndNameTheAppAndStorage()
    {
        var snapshot = infra.Defaults.EnsureSucceeded();

        var outputs = snapshot["outputs"]!.AsObject();
        var site = Single(snapshot, "Microsoft.Web/sites");
        Assert.All(outputs, o => Assert.Matches("^[A-Z][A-Z0-9_]*$", o.Key));
        Assert.Equal(BicepCli.Location, (string?)outputs["AZURE_LOCATION"]);
        Assert.Equal(Name(site), (string?)outputs["AZURE_FUNCTION_APP_NAME"]);
        Assert.Equal(Name(site), (string?)outputs["SERVICE_API_NAME"]);
        Assert.Matches($"^\\[format\\('https://\\{{0}}', {Reference((string)site["id"]!, "defaultHostName")}\\)\\]$", (string?)outputs["SERVICE_API_URI"]);
        Assert.Equal(Name(Single(snapshot, "Microsoft.Storage/storageAccounts")), (string?)outputs["AZURE_STORAGE_ACCOUNT_NAME"]);
        Assert.Equal(Name(Single(snapshot, "Microsoft.Resources/resourceGroups")), (string?)outputs["AZURE_RESOURCE_GROUP"]);
    }

    [Fact]
    public async Task ParametersFile_Entries_AreAzdVariablesForTemplateParameters()
    {
        var template = CompiledTemplate();
        var file = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "infra", "main.parameters.json")))!;

        var declared = template["parameters"]!.AsObject();
        var given = file["parameters"]!.AsObject();

        Assert.All(given, p => Assert.True(declared.ContainsKey(p.Key), $"main.parameters.json sets {p.Key}, which main.bicep does not declare."));
        Assert.All(given, p => Assert.Matches(@"^\$\{[A-Z][A-Z0-9_]*(=[^}]*)?\}$", (string?)p.Value!["value"]));
        Assert.All(
            declared.Where(p => p.Value!["defaultValue"] is null),
            p => Assert.True(given.ContainsKey(p.Key), $"main.bicep requires {p.Key}, which main.parameters.json does not set."));
    }

    [Fact]
    public async Task AzureYaml_ApiService_IsTheFunctionAppProjectAsDotnetFunctionHost()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "azure.yaml"))));

        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
        var (name, service) = Assert.Single(services.Children);
        var api = (YamlMappingNode)service;
        var project = ((YamlScalarNode)api["project"]).Value!;

        Assert.Equal("api", ((YamlScalarNode)name).Value);
        Assert.Equal("./functions/BlocklistApi.FunctionApp", project);
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, project, "BlocklistApi.FunctionApp.csproj")));
        Assert.Equal("dotnet", ((YamlScalarNode)api["language"]).Value);
        Assert.Equal("function", ((YamlScalarNode)api["host"]).Value);
    }

    private JsonObject CompiledTemplate()
    {
        var build = infra.Build;
        Assert.True(build.ExitCode == 0, build.ToString());
        return JsonNode.Parse(build.StandardOutput)!.AsObject();
    }

    // Modules compile to nested deployments; languageVersion 2.0 templates hold resources in an object.
    private static IEnumerable<JsonObject> NestedTemplates(JsonObject template) =>
        Resources(template)
            .Where(r => Type(r) == "Microsoft.Resources/deployments")
            .Select(r => r["properties"]!["template"]!.AsObject())
            .SelectMany(t => NestedTemplates(t).Prepend(t));

    private static IEnumerable<JsonObject> Resources(JsonObject template) =>
        template["resources"] switch
        {
            JsonArray array => array.Select(r => r!.AsObject()),
            JsonObject symbolic => symbolic.Select(r => r.Value!.AsObject()),
            _ => [],
        };

    private static string? Type(JsonNode resource) => (string?)resource["type"];

    private static string Name(JsonNode resource) => ((string)resource["name"]!).Split('/')[^1];

    private static JsonObject Single(JsonObject snapshot, string type) =>
        Assert.Single(snapshot["predictedResources"]!.AsArray(), r => Type(r!) == type)!.AsObject();

    // A pattern for how the snapshot writes a property known only at deployment: reference('{id}', '{api version}').{property}.
    private static string Reference(string resourceId, string property) =>
        $@"reference\('{Regex.Escape(resourceId)}', '[0-9a-z-]+'\)\.{Regex.Escape(property)}";

    // The table of infra/README.md's "Every setting in Azure": its first cell names one or more settings (`Name`, list
    // elements as __N), its second says where the value in Azure comes from: template, default or self-host only.
    private static async Task<Dictionary<string, string>> DocumentedSettingsAsync()
    {
        var text = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "infra", "README.md"));
        var start = text.IndexOf("\n## Every setting in Azure", StringComparison.Ordinal);
        Assert.True(start >= 0, "infra/README.md has no section 'Every setting in Azure'.");
        var end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? text[start..] : text[start..end];
        var documented = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in section.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var cells = row.Split('|');
            var source = cells[2].Trim();
            Assert.True(source is "template" or "default" or "self-host only", $"infra/README.md: '{source}' in {row}");
            foreach (Match name in Regex.Matches(cells[1], "`([A-Za-z0-9_]+)`"))
            {
                Assert.True(documented.TryAdd(name.Groups[1].Value, source), $"infra/README.md lists {name.Groups[1].Value} twice.");
            }
        }

        return documented;
    }

    private static Regex SettingPattern(string documented) =>
        new("^" + Regex.Escape(documented).Replace("__N", @"__[0-9]+", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant);

    // How the snapshot writes a resource's runtime properties: reference('{id}', '{its api version}').
    private static string ReferenceTo(JsonObject resource) => $"reference('{(string)resource["id"]!}', '{(string)resource["apiVersion"]!}')";

    private static SortedSet<string> Children(JsonObject snapshot, string type) =>
        new(snapshot["predictedResources"]!.AsArray().Where(r => Type(r!) == type).Select(r => Name(r!)), StringComparer.Ordinal);

    private static Dictionary<string, string> AppSettings(JsonObject snapshot) =>
        Single(snapshot, "Microsoft.Web/sites")["properties"]!["siteConfig"]!["appSettings"]!.AsArray()
            .ToDictionary(s => (string)s!["name"]!, s => (string)s!["value"]!, StringComparer.Ordinal);

    private static SortedDictionary<string, string> ContractSettings(JsonObject snapshot) =>
        new(
            AppSettings(snapshot)
                .Where(s => s.Key.StartsWith("Dns__", StringComparison.Ordinal)
                    || s.Key.StartsWith("Dnsbl__", StringComparison.Ordinal)
                    || (s.Key.StartsWith("Email__", StringComparison.Ordinal) && s.Key != "Email__Acs__ClientId")
                    || s.Key.StartsWith("Notifications__", StringComparison.Ordinal)
                    || s.Key.StartsWith("Whitelist__", StringComparison.Ordinal)
                    || s.Key.StartsWith("ReputationCache__", StringComparison.Ordinal)
                    || s.Key.StartsWith("Greylist__", StringComparison.Ordinal)
                    || s.Key.StartsWith("PublicPage__", StringComparison.Ordinal)
                    || s.Key.StartsWith("ZoneHealth__", StringComparison.Ordinal)
                    || s.Key.StartsWith("Monitors__", StringComparison.Ordinal))
                .ToDictionary(),
            StringComparer.Ordinal);

    // (principal, role, scope) of each role assignment: principal "app" (the app's identity, a ServicePrincipal) or "user"
    // (UserPrincipalId, a User); scope "storage", "insights" or "communication".
    private static IEnumerable<(string Principal, string Role, string Scope)> RoleAssignments(JsonObject snapshot)
    {
        var app = $@"^\[{Reference((string)Single(snapshot, "Microsoft.ManagedIdentity/userAssignedIdentities")["id"]!, "principalId")}\]$";
        var scopes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [(string)Single(snapshot, "Microsoft.Storage/storageAccounts")["id"]!] = "storage",
            [(string)Single(snapshot, "Microsoft.Insights/components")["id"]!] = "insights",
            [(string)Single(snapshot, "Microsoft.Communication/communicationServices")["id"]!] = "communication",
        };
        return snapshot["predictedResources"]!.AsArray()
            .Where(r => Type(r!) == "Microsoft.Authorization/roleAssignments")
            .Select(r =>
            {
                var properties = r!["properties"]!;
                var (id, type) = ((string)properties["principalId"]!, (string)properties["principalType"]!);
                var principal = (id, type) switch
                {
                    _ when Regex.IsMatch(id, app) && type == "ServicePrincipal" => "app",
                    (UserPrincipalId, "User") => "user",
                    _ => $"{id} ({type})",
                };
                var role = ((string)properties["roleDefinitionId"]!).Split('/')[^1];
                var scope = Scope((string)r["id"]!);
                return (principal, s_roles.GetValueOrDefault(role, role), scopes.GetValueOrDefault(scope, scope));
            });
    }

    // A role assignment's id is its scope's id + /providers/Microsoft.Authorization/roleAssignments/{guid}, or
    // extensionResourceId('{scope}', ...) while the guid is only known at deployment.
    private static string Scope(string roleAssignmentId)
    {
        const string Extension = "[extensionResourceId('";
        return roleAssignmentId.StartsWith(Extension, StringComparison.Ordinal)
            ? roleAssignmentId[Extension.Length..roleAssignmentId.IndexOf('\'', Extension.Length)]
            : roleAssignmentId[..roleAssignmentId.IndexOf("/providers/Microsoft.Authorization/", StringComparison.Ordinal)];
    }
}
