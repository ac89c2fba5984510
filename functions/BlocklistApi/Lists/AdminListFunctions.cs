using System.Globalization;
using BlocklistApi.Http;
using BlocklistApi.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace BlocklistApi.Lists;

/// <summary>Admin HTTP functions for our hosted block and allow lists.</summary>
public sealed class AdminListFunctions(HostedListService lists)
{
    private const string EntryRoute = "v1/lists/{list}/entries/{address}/{prefixLength?}";

    [Function(nameof(ListHostedListEntries))]
    public async Task<Results<Ok<HostedListEntries>, ProblemHttpResult>> ListHostedListEntries(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "v1/lists/{list}/entries")] HttpRequest request,
        string list,
        CancellationToken cancellationToken)
    {
        if (!TryParseList(list, out var kind, out var problem))
        {
            return problem;
        }

        return TypedResults.Ok(new HostedListEntries(kind, await lists.ListAsync(kind, cancellationToken)));
    }

    /// <summary>The list in rbldnsd's format, for operators who serve it with rbldnsd from a timer or cron job.</summary>
    [Function(nameof(ExportHostedList))]
    public async Task<Results<ContentHttpResult, ProblemHttpResult>> ExportHostedList(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "v1/lists/{list}/export")] HttpRequest request,
        string list,
        CancellationToken cancellationToken)
    {
        if (!TryParseList(list, out var kind, out var problem))
        {
            return problem;
        }

        var format = request.Query["format"].ToString();
        if (format != "rbldnsd")
        {
            return Problems.Invalid($"'format' must be 'rbldnsd' (it is '{format}'): the only export format is rbldnsd's data file.");
        }

        return TypedResults.Text(await lists.ExportRbldnsdAsync(kind, cancellationToken), "text/plain; charset=utf-8");
    }

    [Function(nameof(GetHostedListEntry))]
    public async Task<Results<Ok<HostedListEntry>, ProblemHttpResult>> GetHostedListEntry(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = EntryRoute)] HttpRequest request,
        string list,
        string address,
        string? prefixLength,
        CancellationToken cancellationToken)
    {
        if (!TryParse(list, address, prefixLength, out var kind, out var range, out var problem))
        {
            return problem;
        }

        return await lists.GetAsync(kind, range, cancellationToken) is { } entry
            ? TypedResults.Ok(entry)
            : Problems.NotFound($"{range} is not on the {list} list.");
    }

    [Function(nameof(PutHostedListEntry))]
    public async Task<Results<Created<HostedListEntry>, Ok<HostedListEntry>, ProblemHttpResult>> PutHostedListEntry(
        [HttpTrigger(AuthorizationLevel.Admin, "put", Route = EntryRoute)] HttpRequest request,
        string list,
        string address,
        string? prefixLength,
        CancellationToken cancellationToken)
    {
        if (!TryParse(list, address, prefixLength, out var kind, out var range, out var problem))
        {
            return problem;
        }

        var body = await RequestBodies.ReadJsonAsync<HostedListEntryRequest>(request, cancellationToken);
        if (body.Error is { } bodyError)
        {
            return Problems.From(bodyError);
        }

        var written = await lists.PutAsync(kind, range, body.Value!, cancellationToken);
        if (written.Error is { } error)
        {
            return Problems.From(error);
        }

        var (entry, created) = written.Value!;
        return created ? TypedResults.Created(request.Path.Value, entry) : TypedResults.Ok(entry);
    }

    [Function(nameof(DeleteHostedListEntry))]
    public async Task<Results<NoContent, ProblemHttpResult>> DeleteHostedListEntry(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = EntryRoute)] HttpRequest request,
        string list,
        string address,
        string? prefixLength,
        CancellationToken cancellationToken)
    {
        if (!TryParse(list, address, prefixLength, out var kind, out var range, out var problem))
        {
            return problem;
        }

        return await lists.DeleteAsync(kind, range, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound($"{range} is not on the {list} list.");
    }

    private static bool TryParseList(string list, out HostedListKind kind, out ProblemHttpResult problem)
    {
        kind = list switch { "block" => HostedListKind.Block, "allow" => HostedListKind.Allow, _ => (HostedListKind)(-1) };
        problem = Problems.NotFound($"There is no list named '{list}'; the lists are 'block' and 'allow'.");
        return Enum.IsDefined(kind);
    }

    private static bool TryParse(string list, string address, string? prefixLength, out HostedListKind kind, out IpNetwork range, out ProblemHttpResult problem)
    {
        range = default;
        if (!TryParseList(list, out kind, out problem))
        {
            return false;
        }

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
