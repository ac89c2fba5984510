using BlocklistApi.Http;
using BlocklistApi.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace BlocklistApi.PublicPage;

/// <summary>The public page at the site root.</summary>
public sealed class PublicPageFunctions(PublicPageDocument page, ClientRateLimiter rateLimiter)
{
    /// <summary>
    /// The route matches only the root: an optional segment that must be empty. An empty route does not match the
    /// root in the Functions host (azure-functions-host#4638), while this pattern does with routePrefix "" and
    /// AzureWebJobsDisableHomepage=true; the self-host maps the same template, which ASP.NET Core routing matches the same way.
    /// </summary>
    public const string Route = "{ignored:maxlength(0)?}";

    [Function(nameof(GetPublicPage))]
    public Results<PublicPageResult, RetryAfterProblemResult> GetPublicPage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequest request)
    {
        if (rateLimiter.Acquire(RateLimitPolicy.Page, request.HttpContext) is { } limited)
        {
            return limited;
        }

        return new PublicPageResult(page);
    }
}
