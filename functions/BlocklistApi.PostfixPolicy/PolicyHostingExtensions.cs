using System.Net;
using BlocklistApi.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BlocklistApi.PostfixPolicy;

/// <summary>The policy service's registration: validated options, the API client with keep-alive connections, the server.</summary>
public static class PolicyHostingExtensions
{
    public static IHostApplicationBuilder AddPostfixPolicy(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IValidateOptions<PolicyOptions>, PolicyOptionsValidator>();
        services.AddOptions<PolicyOptions>().BindConfiguration(PolicyOptions.SectionName).ValidateOnStart();
        services.AddSingleton(CreateClient);
        services.AddSingleton<PolicyService>();
        services.AddSingleton<PolicyServer>();
        services.AddHostedService(sp => sp.GetRequiredService<PolicyServer>());
        return builder;
    }

    // One HttpClient for the process: pooled HTTP/1.1 keep-alive connections, so a request costs no TCP or TLS set-up.
    // Its own timeout is off: Policy:Timeout bounds each Postfix request, every API call included.
    private static BlocklistApiClient CreateClient(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<PolicyOptions>>().Value;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.Timeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            AutomaticDecompression = DecompressionMethods.None,
        };
        var baseUrl = options.ApiBaseUrl!.AbsoluteUri;
        var http = new HttpClient(handler)
        {
            BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        http.DefaultRequestHeaders.Add("x-functions-key", options.ApiKey);
        return new BlocklistApiClient(http);
    }
}
