using System.Reflection;
using BlocklistApi.Http;
using Microsoft.AspNetCore.Diagnostics;

namespace BlocklistApi.Host.Functions;

/// <summary>Registers the self-host's function runtime: the catalog, HTTP endpoints, and queue and timer pumps.</summary>
public static partial class FunctionHostExtensions
{
    public static IHostApplicationBuilder AddFunctionHost(this IHostApplicationBuilder builder, params Assembly[] assemblies)
    {
        var services = builder.Services;
        foreach (var assembly in assemblies)
        {
            services.AddSingleton(new FunctionAssembly(assembly));
        }

        services.AddSingleton<FunctionCatalog>();
        services.AddSingleton<FunctionInvoker>();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddHealthChecks();

        // One background service per queue or timer function, created once the catalog is known.
        services.AddSingleton<IHostedService>(sp => new TriggerPumps(sp));
        return builder;
    }

    private sealed class TriggerPumps(IServiceProvider services) : IHostedService
    {
        private readonly List<BackgroundService> _pumps = [];

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var catalog = services.GetRequiredService<FunctionCatalog>();
            _pumps.AddRange(catalog.Queues.Select(f => (BackgroundService)ActivatorUtilities.CreateInstance<QueueTriggerPump>(services, f)));
            _pumps.AddRange(catalog.Timers.Select(f => (BackgroundService)ActivatorUtilities.CreateInstance<TimerTriggerPump>(services, f)));
            foreach (var pump in _pumps)
            {
                await pump.StartAsync(cancellationToken);
            }
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            await Task.WhenAll(_pumps.Select(p => p.StopAsync(cancellationToken)));
            foreach (var pump in _pumps)
            {
                pump.Dispose();
            }
        }
    }

    /// <summary>The one catch-all at the edge: logs once, answers problem+json (503 for storage/DNS trouble, else 500).</summary>
    private sealed partial class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            Log.Unhandled(logger, httpContext.GetEndpoint()?.DisplayName ?? httpContext.Request.Path.Value ?? "", exception);
            await Problems.FromException(exception).ExecuteAsync(httpContext);
            return true;
        }

        private static partial class Log
        {
            [LoggerMessage(9001, LogLevel.Error, "Request to {Endpoint} failed")]
            public static partial void Unhandled(ILogger logger, string endpoint, Exception exception);
        }
    }
}
