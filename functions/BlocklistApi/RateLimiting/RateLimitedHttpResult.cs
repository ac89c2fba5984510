using System.Globalization;
using BlocklistApi.Http;
using Microsoft.AspNetCore.Http;

namespace BlocklistApi.RateLimiting;

/// <summary>429 problem+json with a Retry-After header (RFC 9110 section 10.2.3) in whole seconds.</summary>
public sealed class RateLimitedHttpResult(TimeSpan retryAfter) : IResult, IStatusCodeHttpResult
{
    /// <summary>Seconds until the client's next permit, rounded up, at least 1.</summary>
    public int RetryAfterSeconds { get; } = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));

    int? IStatusCodeHttpResult.StatusCode => StatusCodes.Status429TooManyRequests;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        var error = new ApiError(ApiErrorKind.TooManyRequests, $"Too many requests from your address. Please try again in {RetryAfterSeconds} s.");
        return Problems.From(error).ExecuteAsync(httpContext);
    }
}
