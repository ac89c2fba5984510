using BlocklistApi.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BlocklistApi.FunctionApp;

/// <summary>The Functions app's composition, shared by <c>Program</c> and the test that checks what reaches Application Insights.</summary>
public static class FunctionAppHost
{
    /// <summary>The provider whose default rule the Application Insights SDK adds: Warning and above only.</summary>
    public const string ApplicationInsightsProvider = "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider";

    public static FunctionsApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = FunctionsApplication.CreateBuilder(args);
        builder.ConfigureFunctionsWebApplication();
        builder.UseMiddleware<ProblemDetailsMiddleware>();

        // The worker sends its logs to Application Insights itself; host.json's levels apply only to the Functions
        // host. The SDK's default rule would drop Information logs such as the hosted-list audit entries and the purge
        // counts, so it is removed (as the isolated-worker guide shows), and ASP.NET Core's per-request Information
        // logs are held back instead.
        builder.Services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();
        builder.Services.Configure<LoggerFilterOptions>(options =>
        {
            var defaultRule = options.Rules.FirstOrDefault(rule => rule.ProviderName == ApplicationInsightsProvider);
            if (defaultRule is not null)
            {
                options.Rules.Remove(defaultRule);
            }
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        builder.AddBlocklistApi().RequireAzureStorage();
        return builder;
    }
}
