namespace BlocklistApi;

/// <summary>The kinds of expected failure a service reports; each maps to one HTTP status.</summary>
public enum ApiErrorKind
{
    Invalid = 400,
    Unauthorized = 401,
    Forbidden = 403,
    NotFound = 404,
    Conflict = 409,
    Gone = 410,
    Unprocessable = 422,
    TooManyRequests = 429,
    Unavailable = 503,
}

/// <summary>An expected failure with a message a person can act on. Services return it; the HTTP layer maps its kind to a status (Http/Problems).</summary>
/// <param name="Kind">Which status it maps to.</param>
/// <param name="Detail">What went wrong and what to do, for a person.</param>
/// <param name="Field">The one query parameter, path parameter or body field a 400 is about, if it is about one.</param>
/// <param name="Errors">For a 400 about several fields: each field and what is wrong with it (then <paramref name="Field"/> is null).</param>
/// <param name="Extensions">Other members of the problem, e.g. the id of the open request a 409 is about.</param>
public sealed record ApiError(
    ApiErrorKind Kind,
    string Detail,
    string? Field = null,
    IReadOnlyDictionary<string, string[]>? Errors = null,
    IReadOnlyDictionary<string, object?>? Extensions = null)
{
    public static ApiError Invalid(string detail, string? field = null) => new(ApiErrorKind.Invalid, detail, field);

    /// <summary>A 400 naming every bad field; the detail lists them all.</summary>
    public static ApiError Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        errors.Count == 1 && errors.Single() is var (field, messages) && messages.Length == 1
            ? new(ApiErrorKind.Invalid, messages[0], field)
            : new(ApiErrorKind.Invalid, string.Join(" ", errors.Values.SelectMany(m => m)), Errors: errors);

    public static ApiError Conflict(string detail, IReadOnlyDictionary<string, object?>? extensions = null) => new(ApiErrorKind.Conflict, detail, Extensions: extensions);

    public static ApiError NotFound(string detail) => new(ApiErrorKind.NotFound, detail);

    public static ApiError Unavailable(string detail) => new(ApiErrorKind.Unavailable, detail);
}

/// <summary>A value or an <see cref="ApiError"/>.</summary>
public readonly record struct Outcome<T>
{
    private Outcome(T? value, ApiError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public ApiError? Error { get; }

    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(ApiError error) => new(default, error);
}
