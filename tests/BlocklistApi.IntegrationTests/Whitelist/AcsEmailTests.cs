using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BlocklistApi.IntegrationTests.Whitelist;

/// <summary>
/// A stand-in for Azure Communication Services Email on loopback that checks every request the way the service does:
/// the HMAC-SHA256 signature recomputed here, independently of the app's signer, from the documented string to sign
/// (VERB\nPATH_AND_QUERY\nDATE;HOST;CONTENT_HASH), the content hash, and a date within 15 minutes. It answers the first
/// sends with 429 (Retry-After) and 503, then 202 with an Operation-Location that reports Running once, then Succeeded.
/// </summary>
public sealed class FakeAcs : IAsyncDisposable
{
    public const string ApiVersion = "2023-03-31";

    private readonly WebApplication _app;
    private readonly byte[] _key;
    private int _sends;
    private int _polls;

    private FakeAcs(WebApplication app, byte[] key)
    {
        _app = app;
        _key = key;
    }

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>What each request was: "POST /emails:send 429", "GET /emails/operations/x 200"... and whether its signature held.</summary>
    public ConcurrentQueue<(string Request, bool SignatureValid, string Body)> Requests { get; } = new();

    /// <summary>Sends answered 429 and then 503 before one is accepted.</summary>
    public int FailuresBeforeAccepting { get; init; } = 2;

    public static async Task<FakeAcs> StartAsync(byte[] key, int failuresBeforeAccepting = 2)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var acs = new FakeAcs(app, key) { FailuresBeforeAccepting = failuresBeforeAccepting };
        app.MapPost("/emails:send", (Delegate)acs.SendAsync);
        app.MapGet("/emails/operations/{id}", (Delegate)acs.PollAsync);
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        acs.Endpoint = new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return acs;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task<IResult> SendAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context.Request);
        var valid = Verify(context.Request, body) && context.Request.Query["api-version"] == ApiVersion && Guid.TryParse(context.Request.Headers["Operation-Id"], out _);
        if (!valid)
        {
            return Answer(context, body, valid, Results.Json(new { error = new { code = "Denied", message = "Denied by the resource provider." } }, statusCode: 401));
        }

        var attempt = Interlocked.Increment(ref _sends);
        if (attempt <= FailuresBeforeAccepting)
        {
            context.Response.Headers.RetryAfter = "1";
            return Answer(context, body, valid, Results.Json(new { error = new { code = "TooManyRequests" } }, statusCode: attempt == 1 ? 429 : 503));
        }

        var operation = context.Request.Headers["Operation-Id"].ToString();
        context.Response.Headers["Operation-Location"] = $"{Endpoint}emails/operations/{operation}?api-version={ApiVersion}";
        context.Response.Headers.RetryAfter = "0";
        return Answer(context, body, valid, Results.Json(new { id = operation, status = "Running" }, statusCode: 202));
    }

    private async Task<IResult> PollAsync(HttpContext context, string id)
    {
        var valid = Verify(context.Request, await ReadBodyAsync(context.Request));
        if (!valid)
        {
            return Answer(context, "", valid, Results.StatusCode(401));
        }

        context.Response.Headers.RetryAfter = "0";
        var status = Interlocked.Increment(ref _polls) == 1 ? "Running" : "Succeeded";
        return Answer(context, "", valid, Results.Json(new { id, status }));
    }

    private IResult Answer(HttpContext context, string body, bool valid, IResult result)
    {
        var status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : 200;
        Requests.Enqueue(($"{context.Request.Method} {context.Request.Path} {status.ToString(CultureInfo.InvariantCulture)}", valid, body));
        return result;
    }

    // The service's side of the scheme, written from the documentation, sharing nothing with the app's signer.
    private bool Verify(HttpRequest request, string body)
    {
        var date = request.Headers["x-ms-date"].ToString();
        var hash = request.Headers["x-ms-content-sha256"].ToString();
        var authorization = request.Headers.Authorization.ToString();
        const string Prefix = "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=";
        if (!authorization.StartsWith(Prefix, StringComparison.Ordinal)
            || !DateTimeOffset.TryParseExact(date, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var sent)
            || (TimeProvider.System.GetUtcNow() - sent).Duration() > TimeSpan.FromMinutes(15))
        {
            return false;
        }

        var expectedHash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(body)));
        var toSign = request.Method + "\n" + request.Path + request.QueryString + "\n" + date + ";" + request.Host + ";" + hash;
        var expected = Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(toSign)));
        return hash == expectedHash && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(authorization[Prefix.Length..]));
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
    }
}

/// <summary>The acs transport, driven through the outbox by a whitelist request, against <see cref="FakeAcs"/>.</summary>
public sealed class AcsEmailTests
{
    private static readonly byte[] s_key = Encoding.UTF8.GetBytes("fake-acs-access-key-for-the-tests-0123456789");

    [Fact]
    public async Task Acs_ThrottledThenUnavailableThenAccepted_RetriesSignedAndFollowsOperationLocationToSucceeded()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var acs = await FakeAcs.StartAsync(s_key);
        await using var app = await AppAsync(acs, Convert.ToBase64String(s_key));

        await app.Client(key: null).SubmitWhitelistRequestAsync(WhitelistHarness.Submission(), cts.Token);
        while (acs.Requests.Count(r => r.Request.StartsWith("GET", StringComparison.Ordinal)) < 2)
        {
            await Task.Delay(50, cts.Token);
        }

        await WaitUntilQueueEmptyAsync(app, cts.Token);
        var requests = acs.Requests.ToList();
        Assert.Equal(
            ["POST /emails:send 429", "POST /emails:send 503", "POST /emails:send 202", "GET /emails/operations/", "GET /emails/operations/"],
            requests.Select(r => r.Request.StartsWith("GET", StringComparison.Ordinal) ? r.Request[..23] : r.Request));
        Assert.All(requests, r => Assert.True(r.SignatureValid, r.Request));

        using var body = JsonDocument.Parse(requests[2].Body);
        var root = body.RootElement;
        Assert.Equal("blocklist@blocklist.test", root.GetProperty("senderAddress").GetString());
        Assert.Equal(WhitelistHarness.Requester, root.GetProperty("recipients").GetProperty("to")[0].GetProperty("address").GetString());
        Assert.Equal("Alice Sender", root.GetProperty("recipients").GetProperty("to")[0].GetProperty("displayName").GetString());
        Assert.StartsWith("Confirm your whitelist request", root.GetProperty("content").GetProperty("subject").GetString(), StringComparison.Ordinal);
        Assert.Contains("whitelist=confirm", root.GetProperty("content").GetProperty("plainText").GetString(), StringComparison.Ordinal);
        Assert.Equal("auto-generated", root.GetProperty("headers").GetProperty("Auto-Submitted").GetString());
        // Every attempt of one message is one ACS operation.
        Assert.Single(requests.Take(3).Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("content").GetProperty("subject").GetString()).Distinct());
    }

    [Fact]
    public async Task Acs_WrongAccessKey_IsRefusedByTheServerAndTheMessageEndsInPoison()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var acs = await FakeAcs.StartAsync(s_key, failuresBeforeAccepting: 0);
        await using var app = await AppAsync(acs, Convert.ToBase64String(Encoding.UTF8.GetBytes("not-the-resources-key-0123456789abcdef")), new() { ["Queues:MaxDequeueCount"] = "2" });

        await app.Client(key: null).SubmitWhitelistRequestAsync(WhitelistHarness.Submission(), cts.Token);

        var poison = new Azure.Storage.Queues.QueueClient((await AzuriteServer.Shared).ConnectionString, app.NamePrefix + "email-outbox-poison");
        while (!await poison.ExistsAsync(cts.Token) || (await poison.PeekMessagesAsync(1, cts.Token)).Value.Length == 0)
        {
            await Task.Delay(50, cts.Token);
        }

        Assert.Equal(2, acs.Requests.Count);
        Assert.All(acs.Requests, r => Assert.Equal(("POST /emails:send 401", false), (r.Request, r.SignatureValid)));
    }

    private static async Task<BlocklistApiApp> AppAsync(FakeAcs acs, string accessKey, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Email:Transport"] = "acs",
            ["Email:Acs:ConnectionString"] = $"endpoint={acs.Endpoint};accesskey={accessKey}",
            ["Email:RetryAttempts"] = "3",
            ["Email:RetryDelay"] = "00:00:00.050",
            ["Queues:MaxPollingInterval"] = "00:00:00.200",
            ["RateLimit:PermitsPerMinute"] = "1000",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        var app = new BlocklistApiApp(await AzuriteServer.Shared, settings);
        app.CreateClient().Dispose();
        return app;
    }

    private static async Task WaitUntilQueueEmptyAsync(BlocklistApiApp app, CancellationToken cancellationToken)
    {
        var queue = new Azure.Storage.Queues.QueueClient((await AzuriteServer.Shared).ConnectionString, app.NamePrefix + "email-outbox");
        while ((await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount > 0)
        {
            await Task.Delay(50, cancellationToken);
        }
    }
}
