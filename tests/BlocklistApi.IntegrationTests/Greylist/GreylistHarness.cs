using Azure.Data.Tables;
using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;
using Microsoft.Extensions.Time.Testing;

namespace BlocklistApi.IntegrationTests.Greylist;

/// <summary>
/// The self-host on Azurite with a <see cref="FakeTimeProvider"/>, so greylisting delays, retry windows and max ages
/// pass with <see cref="Advance"/> instead of waiting. Every call is bounded by <see cref="Timeout"/>.
/// </summary>
public sealed class GreylistHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    public static readonly DateTimeOffset Start = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private readonly AzuriteServer _azurite;

    private GreylistHarness(AzuriteServer azurite, BlocklistApiApp app, FakeTimeProvider? time)
    {
        _azurite = azurite;
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
    public static async Task<GreylistHarness> StartAsync(IDictionary<string, string?>? settings = null, AzuriteServer? azurite = null, bool realTime = false)
    {
        azurite ??= await AzuriteServer.Shared.WaitAsync(Timeout);
        var time = realTime ? null : new FakeTimeProvider(Start);
        var app = new BlocklistApiApp(azurite, settings ?? new Dictionary<string, string?>(), time);
        return new GreylistHarness(azurite, app, time);
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

    /// <summary>The app's Greylist table, read directly to count rows.</summary>
    public TableClient Table => new TableServiceClient(_azurite.ConnectionString).GetTableClient(App.NamePrefix + "Greylist");

    /// <summary>Stored rows of a partition kind: "t" triplets, "c" clients.</summary>
    public async Task<List<TableEntity>> RowsAsync(char kind)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in Table.QueryAsync<TableEntity>(cancellationToken: Bounded()))
        {
            if (row.PartitionKey.Length == 3 && row.PartitionKey[0] == kind)
            {
                rows.Add(row);
            }
        }

        return rows;
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}
