using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace BlocklistApi.Http;

/// <summary>A problem+json answer (429 or 503) with a Retry-After header in whole seconds (RFC 9110 section 10.2.3).</summary>
public sealed class RetryAfterProblemResult(ApiError error, TimeSpan retryAfter) : IResult, IStatusCodeHttpResult
{
    /// <summary>Seconds the client should wait, rounded up, at least 1.</summary>
    public int RetryAfterSeconds { get; } = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));

    public int? StatusCode => (int)error.Kind;

    /// <summary>429: the client asked too often; its next permit comes after <paramref name="retryAfter"/>.</summary>
    public static RetryAfterProblemResult TooManyRequests(TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        return new(new ApiError(ApiErrorKind.TooManyRequests, $"Too many requests from your address. Please try again in {seconds} s."), retryAfter);
    }

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Problems.From(error).ExecuteAsync(httpContext);
    }
}
