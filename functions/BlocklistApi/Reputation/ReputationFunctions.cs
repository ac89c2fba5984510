using BlocklistApi.Http;
using BlocklistApi.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace BlocklistApi.Reputation;

/// <summary>HTTP functions for IP reputation.</summary>
public sealed class ReputationFunctions(ReputationService reputation)
{
    [Function(nameof(GetReputation))]
    public async Task<Results<Ok<ReputationReport>, ProblemHttpResult>> GetReputation(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/reputation/{ip}")] HttpRequest request,
        string ip,
        CancellationToken cancellationToken)
    {
        if (!IpAddressParser.TryParse(ip, out var address, out var error))
        {
            return Problems.Invalid(error, nameof(ip));
        }

        if (!ReputationQuery.TryReadMailContext(request.Query["recipient"], request.Query["sender"], out var mail, out var mailError))
        {
            return Problems.From(mailError);
        }

        return TypedResults.Ok(await reputation.CheckAsync(address, mail, cancellationToken));
    }
}
