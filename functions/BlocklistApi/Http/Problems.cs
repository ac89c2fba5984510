using BlocklistApi.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BlocklistApi.Http;

/// <summary>The one place our error kinds become RFC 9457 problem+json, so statuses stay consistent across routes and hosts.</summary>
public static class Problems
{
    /// <summary>The problem for an error; one about a named field also gets <c>errors: {field: [detail]}</c>, the shape of ASP.NET Core's validation problems.</summary>
    public static ProblemHttpResult From(ApiError error) => TypedResults.Problem(
        detail: error.Detail,
        statusCode: (int)error.Kind,
        title: Title(error.Kind),
        extensions: Extensions(error));

    public static ProblemHttpResult Invalid(string detail, string? field = null) => From(ApiError.Invalid(detail, field));

    public static ProblemHttpResult NotFound(string detail) => From(ApiError.NotFound(detail));

    public static ProblemHttpResult Unauthorized() => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "A valid key is required",
        detail: "Send a function key (or, for admin routes, an admin key) in the x-functions-key header or the code query parameter.");

    /// <summary>How long a client should wait before trying again after a 503 for a dependency that is not answering.</summary>
    public static readonly TimeSpan UnavailableRetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Maps an unexpected exception to a problem: storage and network trouble are 503 with Retry-After (try again
    /// later), the rest 500.
    /// </summary>
    public static IResult FromException(Exception exception) => StorageFailures.IsUnavailable(exception)
        ? new RetryAfterProblemResult(
            ApiError.Unavailable("Our storage is not answering at the moment, so this could not be done. Please try again in a minute."),
            UnavailableRetryAfter)
        : TypedResults.Problem(
            statusCode: StatusCodes.Status500InternalServerError,
            title: "Internal error",
            detail: "Something went wrong on our side; it has been logged. Please try again, and report it if it persists.");

    private static Dictionary<string, object?>? Extensions(ApiError error)
    {
        var errors = error.Errors ?? (error.Field is { } field ? new Dictionary<string, string[]> { [field] = [error.Detail] } : null);
        if (errors is null && error.Extensions is null)
        {
            return null;
        }

        var extensions = new Dictionary<string, object?>(error.Extensions ?? new Dictionary<string, object?>());
        if (errors is not null)
        {
            extensions["errors"] = errors;
        }

        return extensions;
    }

    private static string Title(ApiErrorKind kind) => kind switch
    {
        ApiErrorKind.Invalid => "The request is not valid",
        ApiErrorKind.Unauthorized => "A valid key or link is required",
        ApiErrorKind.Forbidden => "This link is not valid",
        ApiErrorKind.Gone => "This link has expired",
        ApiErrorKind.NotFound => "Not found",
        ApiErrorKind.Conflict => "Conflict",
        ApiErrorKind.Unprocessable => "The request cannot be processed",
        ApiErrorKind.TooManyRequests => "Too many requests",
        ApiErrorKind.Unavailable => "Service unavailable",
        _ => "Error",
    };
}
