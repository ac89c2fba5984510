extern alias FunctionApp;

using System.Collections.Concurrent;
using FunctionApp::BlocklistApi.FunctionApp;
using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.ApplicationInsights;
using Microsoft.Extensions.Options;

namespace BlocklistApi.IntegrationTests.Hosting;

/// <summary>
/// What the Functions app's logging rules let through to Application Insights: the app's composition is built (not
/// run) and its filter rules drive the real Application Insights logger provider, whose telemetry goes to an
/// in-memory channel instead of the network.
/// </summary>
public sealed partial class FunctionAppLoggingTests : IDisposable
{
    private readonly TelemetrySink _sink = new();
    private readonly TelemetryConfiguration _telemetry;
    private readonly Microsoft.Extensions.Hosting.IHost _host;
    private readonly LoggerFactory _loggers;

    public FunctionAppLoggingTests()
    {
        _host = FunctionAppHost.CreateBuilder([]).Build();
        _telemetry = new TelemetryConfiguration { ConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000001", TelemetryChannel = _sink };
        var provider = new ApplicationInsightsLoggerProvider(Options.Create(_telemetry), Options.Create(new ApplicationInsightsLoggerOptions()));
        _loggers = new LoggerFactory([provider], _host.Services.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>());
    }

    public void Dispose()
    {
        _loggers.Dispose();
        _telemetry.Dispose();
        _host.Dispose();
    }

    [Fact]
    public void FunctionApp_FilterRules_HaveNoDefaultApplicationInsightsRule()
    {
        var rules = _host.Services.GetRequiredService<IOptions<LoggerFilterOptions>>().Value.Rules;

        Assert.DoesNotContain(rules, r => r.ProviderName == FunctionAppHost.ApplicationInsightsProvider && r.CategoryName is null);
    }

    [Theory]
    [InlineData("BlocklistApi.Lists.HostedListService")]
    [InlineData("BlocklistApi.Greylist.GreylistPurge")]
    public void FunctionApp_InformationLogOfTheApp_ReachesApplicationInsights(string category)
    {
        Log.EntryWritten(_loggers.CreateLogger(category), "block", "192.0.2.0/24");

        var trace = Assert.IsType<TraceTelemetry>(Assert.Single(_sink.Items));
        Assert.Equal(SeverityLevel.Information, trace.SeverityLevel);
        Assert.Equal("Hosted block list entry 192.0.2.0/24 written", trace.Message);
    }

    [Fact]
    public void FunctionApp_DebugLogOfTheApp_DoesNotReachApplicationInsights()
    {
        Log.SpfChecked(_loggers.CreateLogger("BlocklistApi.Spf.SpfEvaluator"), "example.com", "permerror");

        Assert.Empty(_sink.Items);
    }

    [Fact]
    public void FunctionApp_PerRequestAspNetCoreLogs_StayOutButItsWarningsReachApplicationInsights()
    {
        var hosting = _loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics");

        Log.RequestStarting(hosting, "/v1/reputation/192.0.2.1");
        Log.Noteworthy(hosting);

        var trace = Assert.IsType<TraceTelemetry>(Assert.Single(_sink.Items));
        Assert.Equal(SeverityLevel.Warning, trace.SeverityLevel);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Hosted {List} list entry {Range} written")]
        public static partial void EntryWritten(ILogger logger, string list, string range);

        [LoggerMessage(2, LogLevel.Debug, "SPF check of {Domain} gave {Result}")]
        public static partial void SpfChecked(ILogger logger, string domain, string result);

        [LoggerMessage(3, LogLevel.Information, "Request starting HTTP/1.1 GET {Path}")]
        public static partial void RequestStarting(ILogger logger, string path);

        [LoggerMessage(4, LogLevel.Warning, "Something a person should see")]
        public static partial void Noteworthy(ILogger logger);
    }

    /// <summary>Keeps what the Application Insights SDK would send.</summary>
    private sealed class TelemetrySink : ITelemetryChannel
    {
        private readonly ConcurrentQueue<ITelemetry> _items = new();

        public IReadOnlyList<ITelemetry> Items => [.. _items];

        public bool? DeveloperMode { get; set; }

        public string EndpointAddress { get; set; } = "";

        public void Send(ITelemetry item) => _items.Enqueue(item);

        public void Flush()
        {
        }

        public void Dispose()
        {
        }
    }
}
