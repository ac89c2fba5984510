using System.Globalization;
using BlocklistApi.Hosting;
using BlocklistApi.Http;
using BlocklistApi.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Monitors;

/// <summary>Admin HTTP functions for our monitored sending addresses, and the monitor timer.</summary>
public sealed class MonitorFunctions(MonitorService monitors, TimerRuns runs, IOptions<MonitorOptions> options)
{
    private const string RangeRoute = "v1/monitors/{address}/{prefixLength?}";

    [Function(nameof(ListMonitors))]
    public async Task<Results<Ok<MonitoredRanges>, ProblemHttpResult>> ListMonitors(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "v1/monitors")] HttpRequest request,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await monitors.ListAsync(cancellationToken));

    [Function(nameof(GetMonitor))]
    public async Task<Results<Ok<MonitoredRange>, ProblemHttpResult>> GetMonitor(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = RangeRoute)] HttpRequest request,
        string address,
        string? prefixLength,
        CancellationToken cancellationToken)
    {
        if (!TryParse(address, prefixLength, out var range, out var problem))
        {
            return problem;
        }

        return await monitors.GetAsync(range, cancellationToken) is { } monitored
            ? TypedResults.Ok(monitored)
            : Problems.NotFound($"{range} is not monitored.");
    }

    [Function(nameof(PutMonitor))]
    public async Task<Results<Created<MonitoredRange>, Ok<MonitoredRange>, ProblemHttpResult>> PutMonitor(
        [HttpTrigger(AuthorizationLevel.Admin, "put", Route = RangeRoute)] HttpRequest request,
        string address,
        string? prefixLength,
        CancellationToken cancellationToken)
    {
        if (!TryParse(address, prefixLength, out var range, out var problem))
        {
            return problem;
        }

        var body = await RequestBodies.ReadJsonAsync<MonitorRequest>(request, cancellationToken);
        if (body.Error is { } bodyError)
        {
            return Problems.From(bodyError);
        }

        var written = await monitors.PutAsync(range, body.Value!, cancellationToken);
        if (written.Error is { } error)
        {
            return Problems.From(error);
        }

        var (monitored, created) = written.Value!;
        return created ? TypedResults.Created(request.Path.Value, monitored) : TypedResults.Ok(monitored);
    }

    [Function(nameof(DeleteMonitor))]
    public async Task<Results<NoContent, ProblemHttpResult>> DeleteMonitor(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = RangeRoute)] HttpRequest request,
        string address,
        string? prefixLength,
        CancellationToken cancellationToken)
    {
        if (!TryParse(address, prefixLength, out var range, out var problem))
        {
            return problem;
        }

        return await monitors.DeleteAsync(range, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound($"{range} is not monitored.");
    }

    /// <summary>Checks every monitored address against every enabled block zone and alerts changes (Monitors__Schedule).</summary>
    [Function(nameof(CheckMonitors))]
    public Task CheckMonitors([TimerTrigger(MonitorOptions.ScheduleSetting)] TimerInfo timer, CancellationToken cancellationToken) =>
        runs.RunAsync(nameof(CheckMonitors), options.Value.RunTimeout, monitors.CheckAsync, cancellationToken);

    private static bool TryParse(string address, string? prefixLength, out IpNetwork range, out ProblemHttpResult problem)
    {
        problem = null!;
        var text = string.IsNullOrEmpty(prefixLength) ? address : string.Create(CultureInfo.InvariantCulture, $"{address}/{prefixLength}");
        if (!IpNetwork.TryParse(text, out range, out var error))
        {
            // A range's error is about address and prefix length together, so only a single address names its parameter.
            problem = Problems.Invalid(error, string.IsNullOrEmpty(prefixLength) ? nameof(address) : null);
            return false;
        }

        return true;
    }
}
