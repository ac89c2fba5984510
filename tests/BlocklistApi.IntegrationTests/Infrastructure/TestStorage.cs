using BlocklistApi.Storage;
using BlocklistApi.Testing;

namespace BlocklistApi.IntegrationTests.Infrastructure;

/// <summary>
/// Where a test app keeps its state: the shared Azurite (or one a test owns), or a SQLite file of its own. Tests that
/// run on both providers take one of these; an app's name prefix picks its tables on Azurite and its file on SQLite,
/// so two apps with one prefix share state on either (as two instances would).
/// </summary>
public sealed class TestStorage
{
    private static readonly Lazy<string> s_sqliteFolder = new(() =>
    {
        // One folder per test process, removed when it exits: the files are kept while any app of the run may use them.
        var folder = Path.Combine(Path.GetTempPath(), "blocklist-tests", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        };
        return folder;
    });

    private TestStorage(StorageProvider provider, AzuriteServer? azurite)
    {
        Provider = provider;
        Azurite = azurite;
    }

    public StorageProvider Provider { get; }

    /// <summary>The Azurite behind an Azure test storage; null for SQLite.</summary>
    public AzuriteServer? Azurite { get; }

    public static TestStorage Sqlite { get; } = new(StorageProvider.Sqlite, null);

    public static TestStorage On(AzuriteServer azurite) => new(StorageProvider.Azure, azurite);

    /// <summary>The shared Azurite, or SQLite files.</summary>
    public static async Task<TestStorage> SharedAsync(StorageProvider provider) =>
        provider == StorageProvider.Azure ? On(await AzuriteServer.Shared) : Sqlite;

    /// <summary>The database file of the apps with this name prefix.</summary>
    public static string SqlitePath(string namePrefix) => Path.Combine(s_sqliteFolder.Value, namePrefix + ".db");

    /// <summary>The settings that put an app with this name prefix on this storage.</summary>
    public Dictionary<string, string?> Settings(string namePrefix) => Provider == StorageProvider.Azure
        ? new(StringComparer.OrdinalIgnoreCase)
        {
            ["Storage:Provider"] = "azure",
            ["AzureWebJobsStorage"] = Azurite!.ConnectionString,
            ["Storage:NamePrefix"] = namePrefix,
        }
        : new(StringComparer.OrdinalIgnoreCase)
        {
            ["Storage:Provider"] = "sqlite",
            ["Storage:Sqlite:Path"] = SqlitePath(namePrefix),
            ["Storage:NamePrefix"] = namePrefix,
        };

    public override string ToString() => Provider.ToString();
}
