using BlocklistApi.Http;
using BlocklistApi.Net;
using BlocklistApi.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace BlocklistApi.Diagnostics;

/// <summary>HTTP functions for sender diagnostics: anonymous (the public page calls them), so rate limited per client.</summary>
public sealed class DiagnosticsFunctions(DiagnosticsService diagnostics, ClientRateLimiter rateLimiter)
{
    [Function(nameof(GetDiagnostics))]
    public async Task<Results<Ok<DiagnosticsReport>, ProblemHttpResult, RetryAfterProblemResult>> GetDiagnostics(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/diagnostics/{ip}")] HttpRequest request,
        string ip,
        CancellationToken cancellationToken)
    {
        if (rateLimiter.Acquire(RateLimitPolicy.Api, request.HttpContext) is { } limited)
        {
            return limited;
        }

        if (!IpAddressParser.TryParse(ip, out var address, out var error))
        {
            return Problems.Invalid(error, nameof(ip));
        }

        var outcome = await diagnostics.RunAsync(address, request.Query["helo"], request.Query["sender"], cancellationToken);
        return outcome.Error is { } problem ? Problems.From(problem) : TypedResults.Ok(outcome.Value!);
    }
}
