using BlocklistApi.Http;
using BlocklistApi.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace BlocklistApi.Spf;

/// <summary>HTTP functions for SPF verdicts.</summary>
public sealed class SpfFunctions(SpfService spf)
{
    [Function(nameof(GetSpf))]
    public async Task<Results<Ok<SpfReport>, ProblemHttpResult>> GetSpf(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/spf")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (!IpAddressParser.TryParse(request.Query["ip"], out var address, out var error))
        {
            return Problems.Invalid($"ip: {error}", "ip");
        }

        var outcome = await spf.CheckAsync(address, request.Query["sender"], request.Query["helo"], cancellationToken);
        return outcome.Error is { } problem ? Problems.From(problem) : TypedResults.Ok(outcome.Value!);
    }
}
