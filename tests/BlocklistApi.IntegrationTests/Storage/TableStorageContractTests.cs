using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Storage;

namespace BlocklistApi.IntegrationTests.Storage;

/// <summary>
/// The table port's contract, one class run against both providers (Azurite, and a SQLite file): what the stores
/// rely on, exactly. Each test uses a table of its own in one app per class.
/// </summary>
public abstract class TableStorageContractTests(StorageProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private BlocklistApiApp _app = null!;
    private ITableStorage _tables = null!;

    public async Task InitializeAsync()
    {
        _app = new BlocklistApiApp(await TestStorage.SharedAsync(provider).WaitAsync(s_timeout), new Dictionary<string, string?>());
        _tables = _app.Tables;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Insert_EveryPropertyType_ReadBackWithItsTypeAndAnETag()
    {
        var table = NewTable();
        var written = await _tables.InsertAsync(table, Row("p", "r", text: "café ✓", number: 7, at: s_t0.AddTicks(1234567)), Bounded());

        var row = await _tables.GetAsync(table, "p", "r", Bounded());

        Assert.True(written.Written);
        Assert.NotNull(row);
        Assert.Equal(written.ETag, row.ETag);
        Assert.Equal("café ✓", row["Text"]);
        Assert.Equal(7, row["Int"]);
        Assert.Equal(1L << 40, row["Long"]);
        Assert.Equal(2.5, row["Double"]);
        Assert.Equal(true, row["Flag"]);
        Assert.Equal(s_t0.AddTicks(1234567), row["At"]);
        Assert.Equal(TimeSpan.Zero, row.GetDateTimeOffset("At")!.Value.Offset);
        Assert.Equal(6, row.Properties.Count);
        Assert.Null(await _tables.GetAsync(table, "p", "missing", Bounded()));
    }

    [Fact]
    public async Task Insert_RowExists_ConflictAndRowUnchanged()
    {
        var table = NewTable();
        await _tables.InsertAsync(table, Row("p", "r", text: "first"), Bounded());

        var second = await _tables.InsertAsync(table, Row("p", "r", text: "second"), Bounded());

        Assert.Equal(TableWrite.Conflict, second);
        Assert.Equal("first", (await _tables.GetAsync(table, "p", "r", Bounded()))!["Text"]);
    }

    [Fact]
    public async Task Replace_CurrentETag_WritesWithNewETag_StaleETagConflicts()
    {
        var table = NewTable();
        var first = await _tables.InsertAsync(table, Row("p", "r", text: "v1"), Bounded());

        var second = await _tables.ReplaceAsync(table, Row("p", "r", text: "v2"), first.ETag!, Bounded());
        var stale = await _tables.ReplaceAsync(table, Row("p", "r", text: "v3"), first.ETag!, Bounded());

        Assert.True(second.Written);
        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal(TableWrite.Conflict, stale);
        var row = await _tables.GetAsync(table, "p", "r", Bounded());
        Assert.Equal(("v2", second.ETag), (row!["Text"], row.ETag));
    }

    [Fact]
    public async Task Replace_RowDeletedAndInsertedAgain_OldETagConflicts()
    {
        var table = NewTable();
        var first = await _tables.InsertAsync(table, Row("p", "r", text: "v1"), Bounded());
        Assert.True(await _tables.DeleteAsync(table, "p", "r", first.ETag, Bounded()));

        var vanished = await _tables.ReplaceAsync(table, Row("p", "r", text: "v2"), first.ETag!, Bounded());
        await _tables.InsertAsync(table, Row("p", "r", text: "again"), Bounded());
        var afterReinsert = await _tables.ReplaceAsync(table, Row("p", "r", text: "v3"), first.ETag!, Bounded());

        Assert.Equal(TableWrite.Conflict, vanished);
        Assert.Equal(TableWrite.Conflict, afterReinsert);
        Assert.Equal("again", (await _tables.GetAsync(table, "p", "r", Bounded()))!["Text"]);
    }

    [Fact]
    public async Task Upsert_ReplacesTheWholeRow()
    {
        var table = NewTable();
        var first = await _tables.UpsertAsync(table, Row("p", "r", text: "v1", number: 1), Bounded());

        var second = await _tables.UpsertAsync(table, new TableRow("p", "r") { ["Text"] = "v2" }, Bounded());

        var row = await _tables.GetAsync(table, "p", "r", Bounded());
        Assert.True(second.Written);
        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal("v2", row!["Text"]);
        Assert.Null(row["Int"]);
        Assert.Single(row.Properties);
    }

    [Fact]
    public async Task Delete_StaleETagKeepsTheRow_CurrentOrAnyETagDeletes_MissingIsFalse()
    {
        var table = NewTable();
        var first = await _tables.InsertAsync(table, Row("p", "a"), Bounded());
        var second = await _tables.ReplaceAsync(table, Row("p", "a", text: "changed"), first.ETag!, Bounded());
        await _tables.InsertAsync(table, Row("p", "b"), Bounded());

        var stale = await _tables.DeleteAsync(table, "p", "a", first.ETag, Bounded());
        var current = await _tables.DeleteAsync(table, "p", "a", second.ETag, Bounded());
        var any = await _tables.DeleteAsync(table, "p", "b", ifMatch: null, Bounded());
        var missing = await _tables.DeleteAsync(table, "p", "b", ifMatch: null, Bounded());

        Assert.Equal((false, true, true, false), (stale, current, any, missing));
        Assert.Empty(await _tables.QueryAsync(table, new TableQuery("p"), Bounded()));
    }

    [Fact]
    public async Task Query_PartitionRowKeyRangeAndTake_InKeyOrder()
    {
        var table = NewTable();
        foreach (var (partition, key) in new[] { ("p1", "abc_3"), ("p1", "abc_1"), ("p1", "abd_1"), ("p1", "abb_9"), ("p2", "abc_2"), ("p0", "abc_0") })
        {
            await _tables.InsertAsync(table, Row(partition, key), Bounded());
        }

        var prefix = await _tables.QueryAsync(table, TableQuery.RowKeyPrefix("p1", "abc_"), Bounded());
        var partition1 = await _tables.QueryAsync(table, new TableQuery("p1"), Bounded());
        var firstTwo = await _tables.QueryAsync(table, new TableQuery("p1") { Take = 2 }, Bounded());
        var fromAbc = await _tables.QueryAsync(table, new TableQuery("p1") { RowKeyFrom = "abc_3" }, Bounded());
        var whole = await _tables.QueryAsync(table, new TableQuery(null), Bounded());

        Assert.Equal(["abc_1", "abc_3"], prefix.Select(r => r.RowKey));
        Assert.Equal(["abb_9", "abc_1", "abc_3", "abd_1"], partition1.Select(r => r.RowKey));
        Assert.Equal(["abb_9", "abc_1"], firstTwo.Select(r => r.RowKey));
        Assert.Equal(["abc_3", "abd_1"], fromAbc.Select(r => r.RowKey));
        Assert.Equal(["p0/abc_0", "p1/abb_9", "p1/abc_1", "p1/abc_3", "p1/abd_1", "p2/abc_2"], whole.Select(r => r.PartitionKey + "/" + r.RowKey));
        Assert.All(whole, r => Assert.NotNull(r.ETag));
    }

    [Fact]
    public async Task Query_Filters_CompareTypedValuesAndSkipRowsWithoutTheProperty()
    {
        var table = NewTable();
        await _tables.InsertAsync(table, Row("p", "old-pending", text: "pending", number: 1, at: s_t0.AddDays(-3)), Bounded());
        await _tables.InsertAsync(table, Row("p", "new-pending", text: "pending", number: 2, at: s_t0.AddHours(-1)), Bounded());
        await _tables.InsertAsync(table, Row("p", "old-passed", text: "passed", number: 10, at: s_t0.AddDays(-40)), Bounded());
        await _tables.InsertAsync(table, Row("p", "new-passed", text: "passed", number: 20, at: s_t0.AddDays(-1)), Bounded());
        await _tables.InsertAsync(table, new TableRow("p", "bare"), Bounded());

        async Task<string[]> Keys(TableFilter filter) =>
            (await _tables.QueryAsync(table, new TableQuery("p") { Filter = filter }, Bounded())).Select(r => r.RowKey).ToArray();

        // The greylist purge's filter: pending past the retry window, or passed past the maximum age.
        var purge = await Keys((TableFilter.Equal("Text", "pending") & TableFilter.LessThan("At", s_t0.AddDays(-2)))
            | (TableFilter.Equal("Text", "passed") & TableFilter.LessThan("At", s_t0.AddDays(-35))));
        Assert.Equal(["old-passed", "old-pending"], purge);
        Assert.Equal(["new-passed", "old-passed"], await Keys(TableFilter.GreaterThanOrEqual("Int", 10)));
        Assert.Equal(["new-pending", "old-passed", "old-pending"], await Keys(TableFilter.Compare("Int", TableComparison.NotEqual, 20)));
        Assert.Equal(["new-passed", "new-pending"], await Keys(TableFilter.Compare("At", TableComparison.GreaterThan, s_t0.AddDays(-2))));
        Assert.Equal(["new-passed", "new-pending", "old-passed", "old-pending"], await Keys(TableFilter.Equal("Flag", true)));
        Assert.Equal(["old-pending"], await Keys(TableFilter.Compare("Int", TableComparison.LessThanOrEqual, 1)));
        Assert.Equal(["new-passed", "old-passed"], await Keys(TableFilter.Compare("Text", TableComparison.LessThan, "pending")));
        Assert.Empty(await Keys(TableFilter.Compare("Double", TableComparison.GreaterThan, 2.5)));
    }

    [Fact]
    public async Task Batch_StaleDelete_NothingChanges_CurrentDeletes_AllApplied()
    {
        var table = NewTable();
        var a = await _tables.InsertAsync(table, Row("p", "a", text: "a"), Bounded());
        var b = await _tables.InsertAsync(table, Row("p", "b", text: "b"), Bounded());
        var bChanged = await _tables.ReplaceAsync(table, Row("p", "b", text: "b2"), b.ETag!, Bounded());

        var failed = await _tables.SubmitBatchAsync(table,
        [
            new TableBatchAction(TableBatchKind.Upsert, Row("p", "c", text: "c")),
            new TableBatchAction(TableBatchKind.Delete, new TableRow("p", "a"), a.ETag),
            new TableBatchAction(TableBatchKind.Delete, new TableRow("p", "b"), b.ETag),
        ], Bounded());
        var afterFailure = (await _tables.QueryAsync(table, new TableQuery("p"), Bounded())).Select(r => r.RowKey).ToArray();
        var succeeded = await _tables.SubmitBatchAsync(table,
        [
            new TableBatchAction(TableBatchKind.Upsert, Row("p", "c", text: "c")),
            new TableBatchAction(TableBatchKind.Delete, new TableRow("p", "a"), a.ETag),
            new TableBatchAction(TableBatchKind.Delete, new TableRow("p", "b"), bChanged.ETag),
        ], Bounded());
        var afterSuccess = (await _tables.QueryAsync(table, new TableQuery("p"), Bounded())).Select(r => r.RowKey).ToArray();

        Assert.False(failed);
        Assert.Equal(["a", "b"], afterFailure);
        Assert.True(succeeded);
        Assert.Equal(["c"], afterSuccess);
    }

    [Fact]
    public async Task Batch_DeleteOfMissingRow_FailsTheBatch()
    {
        var table = NewTable();

        var result = await _tables.SubmitBatchAsync(table,
        [
            new TableBatchAction(TableBatchKind.Upsert, Row("p", "new")),
            new TableBatchAction(TableBatchKind.Delete, new TableRow("p", "missing")),
        ], Bounded());

        Assert.False(result);
        Assert.Null(await _tables.GetAsync(table, "p", "new", Bounded()));
    }

    [Fact]
    public async Task Batch_MoreThan100OrSeveralPartitions_IsRefused()
    {
        var table = NewTable();
        var tooMany = Enumerable.Range(0, 101).Select(i => new TableBatchAction(TableBatchKind.Upsert, Row("p", i.ToString("d3", System.Globalization.CultureInfo.InvariantCulture)))).ToList();
        List<TableBatchAction> twoPartitions = [new(TableBatchKind.Upsert, Row("p", "a")), new(TableBatchKind.Upsert, Row("q", "a"))];

        await Assert.ThrowsAsync<ArgumentException>(() => _tables.SubmitBatchAsync(table, tooMany, Bounded()));
        await Assert.ThrowsAsync<ArgumentException>(() => _tables.SubmitBatchAsync(table, twoPartitions, Bounded()));
        Assert.True(await _tables.SubmitBatchAsync(table, tooMany.Take(100).ToList(), Bounded()));
        Assert.Equal(100, (await _tables.QueryAsync(table, new TableQuery("p"), Bounded())).Count);
    }

    [Fact]
    public async Task Insert_ConcurrentWritersOfOneKey_ExactlyOneWins()
    {
        var table = NewTable();
        await _tables.InsertAsync(table, Row("p", "warm-up"), Bounded());

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => _tables.InsertAsync(table, Row("p", "r", number: i), Bounded())));

        var winner = Assert.Single(results, r => r.Written);
        Assert.Equal(winner.ETag, (await _tables.GetAsync(table, "p", "r", Bounded()))!.ETag);
    }

    [Fact]
    public async Task Replace_ConcurrentWritersWithOneETag_ExactlyOneWins()
    {
        var table = NewTable();
        var first = await _tables.InsertAsync(table, Row("p", "r", number: -1), Bounded());

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => _tables.ReplaceAsync(table, Row("p", "r", number: i), first.ETag!, Bounded())));

        Assert.Single(results, r => r.Written);
    }

    private static TableRow Row(string partitionKey, string rowKey, string text = "x", int number = 0, DateTimeOffset? at = null) => new(partitionKey, rowKey)
    {
        ["Text"] = text,
        ["Int"] = number,
        ["Long"] = 1L << 40,
        ["Double"] = 2.5,
        ["Flag"] = true,
        ["At"] = at ?? s_t0,
    };

    private static string NewTable() => "contract" + Guid.NewGuid().ToString("N")[..12];

    private static CancellationToken Bounded() => new CancellationTokenSource(s_timeout).Token;
}

public sealed class TableStorageContractAzuriteTests() : TableStorageContractTests(StorageProvider.Azure);

public sealed class TableStorageContractSqliteTests() : TableStorageContractTests(StorageProvider.Sqlite);
