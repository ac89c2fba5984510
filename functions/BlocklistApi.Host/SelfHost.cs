using BlocklistApi.DnsZone;
using BlocklistApi.Host.DnsZone;
using BlocklistApi.Hosting;
using BlocklistApi.Http;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using BlocklistApi.Host.Functions;
using BlocklistApi.Storage;
using Microsoft.Extensions.Configuration.Memory;

namespace BlocklistApi.Host;

/// <summary>
/// The self-host's composition, shared by <c>Program</c> and the tests that start it directly: the library's services,
/// the function host that runs the library's function classes, and the request pipeline.
/// </summary>
public static class SelfHost
{
    /// <summary>
    /// A builder with every registration; settings files are read from next to the binary. Storage:Provider defaults
    /// to sqlite here (one machine, nothing else to run); every configuration source can set azure.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = [new($"{StorageOptions.SectionName}:{nameof(StorageOptions.Provider)}", "sqlite")],
        });
        builder.AddBlocklistApi();
        builder.AddFunctionHost(typeof(BlocklistApiHostingExtensions).Assembly);
        // Our lists as DNSBL/DNSWL zones (DnsZone:Listen), off unless configured.
        builder.AddDnsZone();
        builder.Services.AddSingleton<DnsZoneListener>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DnsZoneListener>());
        return builder;
    }

    /// <summary>Builds the app and maps health checks and every HTTP-triggered function.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync });
        app.MapFunctions();
        return app;
    }
}
