using BlocklistApi.Client;
using BlocklistApi.Host;
using BlocklistApi.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistApi.IntegrationTests.Infrastructure;

/// <summary>
/// The self-host in process on a real loopback port (Kestrel on 127.0.0.1:0), for callers that speak real HTTP,
/// such as the policy service's client. Same composition and settings as <see cref="BlocklistApiApp"/>.
/// </summary>
public sealed class RealPortSelfHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RealPortSelfHost(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<RealPortSelfHost> StartAsync(AzuriteServer azurite, IDictionary<string, string?> settings, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        var builder = SelfHost.CreateBuilder(["--environment=Testing"]);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var all = BlocklistApiApp.Settings(azurite, BlocklistApiApp.NewPrefix(), settings);
        all.TryAdd("Greylist:PurgeSchedule", "0 30 3 * * *");
        builder.Configuration.AddInMemoryCollection(all);
        if (timeProvider is not null)
        {
            builder.Services.AddSingleton(timeProvider);
        }

        var app = SelfHost.Build(builder);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RealPortSelfHost(app, new Uri(address));
    }

    /// <summary>The generated client over real HTTP, with the admin key.</summary>
    public BlocklistApiClient AdminClient()
    {
        var http = new HttpClient { BaseAddress = BaseUrl };
        http.DefaultRequestHeaders.Add("x-functions-key", BlocklistApiApp.AdminKey);
        return new BlocklistApiClient(http);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
