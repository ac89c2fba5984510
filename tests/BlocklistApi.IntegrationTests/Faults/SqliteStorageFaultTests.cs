using System.Diagnostics;
using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace BlocklistApi.IntegrationTests.Faults;

/// <summary>
/// The SQLite database cannot be written, under continuous greylist and reputation traffic: another connection holds
/// its write lock (a backup tool, a sqlite3 shell left in a transaction), or the file is on a disk gone read-only
/// (simulated with the immutable attribute, which blocks root too, unlike file modes). Reads still work (WAL), so
/// known triplets and reputation answer normally; every check that must write answers with the fail mode within
/// Greylist:StorageTimeout, admin writes answer 503 with Retry-After, the host never stops, and writes work again at
/// once when the fault ends.
/// </summary>
public sealed class SqliteStorageFaultTests : StorageFaultTestBase
{
    private string DatabasePath => TestStorage.SqlitePath(App.NamePrefix);

    protected override Task<TestStorage> StartStorageAsync() => Task.FromResult(TestStorage.Sqlite);

    // A known triplet is read from storage on every check (no memory in front), so the test sees reads go on.
    protected override IDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        // SQLite answers at once when it is not locked, on a loaded machine too: the 4 s deadline is the one under test.
        ["Storage:Timeout"] = "00:00:04",
        ["Greylist:Delay"] = "00:00:01",
        ["Greylist:KnownTripletCacheTtl"] = "00:00:00",
    };

    [Fact]
    public async Task DatabaseWriteLockedByAnotherConnection_ChecksThatWriteAnswerFailModeInTime_ReadsGoOn_NormalAfterRelease()
    {
        await WarmUpAsync();
        var known = await KnownTripletAsync();

        using (var locker = await LockAsync())
        {
            var during = await TrafficAsync(TimeSpan.FromSeconds(3));
            var knownDuring = await Client.CheckGreylistAsync(known, Bounded());
            var admin = await AdminWriteAsync();

            AssertWritesDegradedReadsServed(during);
            Assert.Equal((GreylistReason.Known, false), (knownDuring.Reason, knownDuring.Degraded));
            Assert.Equal(503, admin.Status);
            Assert.Equal("30", admin.RetryAfter);
            // Storage:Timeout is 4 s: the 503 comes when it runs out, not after SQLite's own busy retries.
            Assert.True(admin.Elapsed < TimeSpan.FromSeconds(10), $"admin 503 took {admin.Elapsed}");
        }

        var recovery = await RecoveryAsync();
        Assert.True(recovery < TimeSpan.FromSeconds(20), $"recovered after {recovery}");
        // A new entry, not the one written during the fault: that write answered 503 at its deadline, but SQLite may
        // still have been retrying it when the lock went, and then it landed (a write that timed out is not known
        // unwritten, as with Azure), so writing it again could answer 200 instead of 201.
        Assert.Equal(201, (await AdminWriteAsync("198.51.100.98")).Status);
        AssertHostRunning();
    }

    [SkippableFact]
    public async Task DatabaseFileReadOnly_ChecksThatWriteAnswerFailModeInTime_ReadsGoOn_NormalAfterWritable()
    {
        var skip = Peers.SkipReason(ImmutableUnavailable());
        Skip.If(skip is not null, skip);
        await WarmUpAsync();
        var known = await KnownTripletAsync();

        // The database and its WAL (never the -shm file: SQLite maps it, and a write to a mapped immutable file is SIGBUS).
        string[] files = [DatabasePath, DatabasePath + "-wal"];
        Chattr("+i", files);
        try
        {
            var during = await TrafficAsync(TimeSpan.FromSeconds(3));
            var knownDuring = await Client.CheckGreylistAsync(known, Bounded());
            var admin = await AdminWriteAsync();
            var health = await HealthAsync();

            AssertWritesDegradedReadsServed(during);
            Assert.Equal((GreylistReason.Known, false), (knownDuring.Reason, knownDuring.Degraded));
            Assert.Equal(503, admin.Status);
            Assert.Equal("30", admin.RetryAfter);
            Assert.True(admin.Elapsed < TimeSpan.FromSeconds(10), $"admin 503 took {admin.Elapsed}");
            // The last operation was the failed write: /healthz says storage, and why.
            var storage = health.GetProperty("dependencies").GetProperty("storage");
            Assert.Equal("degraded", storage.GetProperty("status").GetString());
            Assert.Contains("SQLite", storage.GetProperty("description").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            Chattr("-i", files);
        }

        var recovery = await RecoveryAsync();
        Assert.True(recovery < TimeSpan.FromSeconds(20), $"recovered after {recovery}");
        Assert.Equal(201, (await AdminWriteAsync()).Status);
        AssertHostRunning();
    }

    // Greylist checks of new triplets must write: each answers the fail mode (accept), degraded, within its budget.
    // Reputation reads the hosted lists and its cache (reads work) and drops its cache writes: 200 with the right verdict.
    private static void AssertWritesDegradedReadsServed(List<Answer> answers)
    {
        Assert.Contains(answers, a => a.Route == "greylist");
        Assert.Contains(answers, a => a.Route.StartsWith("reputation", StringComparison.Ordinal));
        Assert.All(answers, a => Assert.True(a.Elapsed < s_answerBound, $"{a.Route} took {a.Elapsed}"));
        Assert.All(answers.Where(a => a.Route == "greylist"), a => Assert.Equal((true, "accept"), (a.Degraded, a.Outcome)));
        Assert.All(answers.Where(a => a.Route.StartsWith("reputation", StringComparison.Ordinal)), a => Assert.Equal("Listed", a.Outcome));
    }

    // A triplet that passed (Greylist:Delay is 1 s): a check of it only reads.
    private async Task<GreylistCheckRequest> KnownTripletAsync()
    {
        var known = Check(NewRecipient());
        await Client.CheckGreylistAsync(known, Bounded());
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var passed = await Client.CheckGreylistAsync(known, Bounded());
        Assert.Equal(GreylistReason.Passed, passed.Reason);
        return known;
    }

    /// <summary>Another connection takes the write lock (BEGIN IMMEDIATE) and holds it until disposed.</summary>
    private async Task<IDisposable> LockAsync()
    {
        var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync(Bounded());
        var transaction = connection.BeginTransaction(deferred: false);
        return new Locker(connection, transaction);
    }

    private async Task<(int Status, string? RetryAfter, TimeSpan Elapsed)> AdminWriteAsync(string address = "198.51.100.99")
    {
        using var http = App.CreateClient();
        http.DefaultRequestHeaders.Add("x-functions-key", BlocklistApiApp.AdminKey);
        var clock = Stopwatch.StartNew();
        using var body = new StringContent("""{"reason":"written during a fault"}""", System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PutAsync(new Uri($"/v1/lists/block/entries/{address}", UriKind.Relative), body, Bounded());
        return ((int)response.StatusCode, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), clock.Elapsed);
    }

    private static string? ImmutableUnavailable()
    {
        var probe = Path.Combine(Path.GetTempPath(), "blocklist-chattr-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(probe, "probe");
        try
        {
            return Run("chattr", "+i", probe) == 0 && Run("chattr", "-i", probe) == 0
                ? null
                : "chattr +i is not permitted here (it needs root with CAP_LINUX_IMMUTABLE on ext4, xfs or btrfs)";
        }
        finally
        {
            File.Delete(probe);
        }
    }

    private static void Chattr(string change, string[] files)
    {
        foreach (var file in files)
        {
            Assert.Equal(0, Run("chattr", change, file));
        }
    }

    private static int Run(string program, params string[] arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, UseShellExecute = false })!;
            process.WaitForExit(10_000);
            return process.HasExited ? process.ExitCode : -1;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    private sealed class Locker(SqliteConnection connection, SqliteTransaction transaction) : IDisposable
    {
        public void Dispose()
        {
            transaction.Rollback();
            transaction.Dispose();
            connection.Dispose();
        }
    }
}
