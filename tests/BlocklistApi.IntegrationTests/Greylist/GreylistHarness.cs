using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Storage;
using BlocklistApi.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BlocklistApi.IntegrationTests.Greylist;

/// <summary>
/// The self-host on Azurite or SQLite with a <see cref="FakeTimeProvider"/>, so greylisting delays, retry windows and max ages
/// pass with <see cref="Advance"/> instead of waiting. Every call is bounded by <see cref="Timeout"/>.
/// </summary>
public sealed class GreylistHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    public static readonly DateTimeOffset Start = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private GreylistHarness(BlocklistApiApp app, FakeTimeProvider? time)
    {
        App = app;
        Time = time;
        Client = app.Client();
        Admin = app.AdminClient();
    }

    public BlocklistApiApp App { get; }

    public FakeTimeProvider? Time { get; }

    public BlocklistApiClient Client { get; }

    public BlocklistApiClient Admin { get; }

    /// <summary>Starts the app. Settings use the contract's names ("Greylist:Delay"); fake time unless <paramref name="realTime"/>.</summary>
    public static async Task<GreylistHarness> StartAsync(IDictionary<string, string?>? settings = null, AzuriteServer? azurite = null, bool realTime = false) =>
        Create(azurite is null ? await TestStorage.SharedAsync(StorageProvider.Azure).WaitAsync(Timeout) : TestStorage.On(azurite), settings, realTime);

    /// <summary>Starts the app on <paramref name="provider"/> (the shared Azurite, or a SQLite file of its own).</summary>
    public static async Task<GreylistHarness> StartAsync(StorageProvider provider, IDictionary<string, string?>? settings = null, bool realTime = false) =>
        Create(await TestStorage.SharedAsync(provider).WaitAsync(Timeout), settings, realTime);

    public static GreylistHarness Create(TestStorage storage, IDictionary<string, string?>? settings = null, bool realTime = false)
    {
        var time = realTime ? null : new FakeTimeProvider(Start);
        var app = new BlocklistApiApp(storage, settings ?? new Dictionary<string, string?>(), time);
        return new GreylistHarness(app, time);
    }

    /// <summary>A token that cancels after <see cref="Timeout"/>: every await in these tests is bounded.</summary>
    public static CancellationToken Bounded() => new CancellationTokenSource(Timeout).Token;

    /// <summary>A recipient no other test uses.</summary>
    public static string NewRecipient() => $"user{Guid.NewGuid():N}@example.net";

    public void Advance(TimeSpan by) => Time!.Advance(by);

    /// <summary>The table keys the app uses for a triplet (the store's own function, so tests find the row).</summary>
    internal static BlocklistApi.Greylist.TripletKeys KeysFor(string clientAddress, int prefixLength, string sender, string recipient)
    {
        var address = BlocklistApi.Net.IpAddressParser.ParseOrNull(clientAddress)!;
        BlocklistApi.Greylist.GreylistAddresses.TryNormalizeSender(sender, out var normalizedSender, out var domain, out _);
        BlocklistApi.Greylist.GreylistAddresses.TryNormalizeRecipient(recipient, out var normalizedRecipient, out _);
        var triplet = new BlocklistApi.Greylist.Triplet(address, BlocklistApi.Net.IpNetwork.Of(address, prefixLength), normalizedSender, normalizedRecipient, domain, null);
        return BlocklistApi.Greylist.GreylistStore.KeysFor(triplet);
    }

    public Task<GreylistVerdict> CheckAsync(string clientAddress, string sender, string recipient, string? heloName = null) =>
        Client.CheckGreylistAsync(new GreylistCheckRequest { ClientAddress = clientAddress, Sender = sender, Recipient = recipient, HeloName = heloName }, Bounded());

    /// <summary>A row of the app's Greylist table, read through the app's own table port (either provider).</summary>
    public async Task<TableRow?> RowAsync(string partitionKey, string rowKey)
    {
        await DrainAsync();
        return await App.Tables.GetAsync("Greylist", partitionKey, rowKey, Bounded());
    }

    /// <summary>Stored rows of a partition kind: "t" triplets, "c" clients.</summary>
    public async Task<List<TableRow>> RowsAsync(char kind)
    {
        await DrainAsync();
        return (await App.Tables.QueryAsync("Greylist", new TableQuery(null), Bounded()))
            .Where(row => row.PartitionKey.Length == 3 && row.PartitionKey[0] == kind)
            .ToList();
    }

    // Client counts are written behind the answers: wait for them before looking at the rows.
    private Task DrainAsync() => App.Services.GetRequiredService<BlocklistApi.Greylist.GreylistClients>().DrainAsync(Bounded());

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}
