namespace BlocklistApi.IntegrationTests.Infra;

/// <summary>
/// Compiles infra/main.bicep once and evaluates it with two parameter sets, for all of <see cref="InfraTests"/>. Failures
/// are kept for the tests to report, so one broken template does not hide which checks still hold.
/// </summary>
public sealed class InfraFixture : IAsyncLifetime
{
    public const string UserPrincipalId = "00000000-0000-0000-0000-0000000000cc";

    public BicepRun Build { get; private set; } = null!;

    /// <summary>The link secret azd generates for the environment (any 32+ characters here).</summary>
    public const string LinkSecret = "ci-link-secret-0123456789abcdefghijklmnop";

    /// <summary>
    /// Only the parameters azd always passes, generates (the link secret) or asks for (the admins): the defaults of
    /// everything else.
    /// </summary>
    public BicepSnapshot Defaults { get; private set; } = null!;

    /// <summary>A deploying user, DNS servers, three zones and every contract parameter changed from its default.</summary>
    public BicepSnapshot Configured { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Build = await BicepCli.BuildAsync();
        Defaults = await BicepCli.SnapshotAsync($"""
            param environmentName = 'ci'
            param location = '{BicepCli.Location}'
            {Asked}
            """);
        Configured = await BicepCli.SnapshotAsync($$"""
            param environmentName = 'ci'
            param location = '{{BicepCli.Location}}'
            {{Asked}}
            param whitelistLinkLifetime = '1.00:00:00'
            param whitelistEntryLifetime = '90.00:00:00'
            param principalId = '{{UserPrincipalId}}'
            param dnsServers = ['10.0.0.4:53', '10.0.0.5:5353']
            param dnsTimeout = '00:00:01.500'
            param dnsUseCache = false
            param reputationCacheEnabled = false
            param greylistPurgeSchedule = '0 0 4 * * *'
            param publicPageUrl = 'https://mail-help.example.com/'
            param zoneHealthSchedule = '0 */5 * * * *'
            param zoneHealthFailuresToDisable = 5
            param zoneHealthPassesToEnable = 3
            param reputationCacheRefreshSchedule = '30 * * * * *'
            param reputationCacheRefreshBatch = 250
            param reputationCacheFailureTtl = '00:01:00'
            param monitorsSchedule = '0 */30 * * * *'
            param monitorsMaxAddresses = 300
            param emailFrom = 'Blocklist <blocklist@mail.example.net>'
            param communicationDataLocation = 'Europe'
            param dnsblZones = [
              { zone: 'zen.spamhaus.org', weight: 2 }
              { zone: 'list.dnswl.org', kind: 'allow', delistUrl: 'https://www.dnswl.org/s/?s={ip}' }
              { zone: 'bl.example.net', kind: 'block', weight: 0 }
            ]
            """);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string Asked => $"""
        param whitelistLinkSecret = '{LinkSecret}'
        param adminEmails = ['postmaster@example.net', 'abuse@example.net']
        """;
}
