using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace BlocklistApi.Http;

/// <summary>Reads JSON request bodies, turning bad JSON into a message instead of an exception.</summary>
public static class RequestBodies
{
    public static async Task<Outcome<T>> ReadJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return ApiError.Invalid("Send the body as JSON with Content-Type: application/json.");
        }

        try
        {
            var body = await request.ReadFromJsonAsync<T>(cancellationToken);
            return body is null ? ApiError.Invalid("The JSON body is empty.") : body;
        }
        catch (JsonException ex)
        {
            var where = ex.Path is { Length: > 0 } path ? $" at {path}" : "";
            // "$.expiresAt" names a top-level field; "$" or a nested path does not.
            var field = ex.Path is ['$', '.', .. var name] && !name.Contains('.', StringComparison.Ordinal) && !name.Contains('[', StringComparison.Ordinal) ? name : null;
            return ApiError.Invalid($"The JSON body could not be read{where}: {ex.Message.Split(". Path:")[0]}", field);
        }
    }
}
