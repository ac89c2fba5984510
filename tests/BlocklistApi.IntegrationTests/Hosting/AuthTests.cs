using System.Net;
using System.Text.Json;
using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;

namespace BlocklistApi.IntegrationTests.Hosting;

/// <summary>The self-host enforces each function's declared auth level with function and admin keys.</summary>
public sealed class AuthTests : IAsyncLifetime
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private BlocklistApiApp _app = null!;

    public async Task InitializeAsync() =>
        _app = new BlocklistApiApp(await AzuriteServer.Shared, new Dictionary<string, string?>());

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task FunctionRoute_WithoutValidKey_Returns401Problem(string? key)
    {
        using var cts = new CancellationTokenSource(s_timeout);

        var error = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => _app.Client(key).GetReputationAsync("192.0.2.1", cts.Token));

        Assert.Equal(401, error.StatusCode);
        Assert.Contains("x-functions-key", error.Result.Detail);
    }

    [Fact]
    public async Task AdminRoute_WithFunctionKey_Returns401()
    {
        using var cts = new CancellationTokenSource(s_timeout);

        var error = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => _app.Client().ListHostedListEntriesAsync(HostedListKind.Block, cts.Token));

        Assert.Equal(401, error.StatusCode);
    }

    [Fact]
    public async Task FunctionRoute_WithAdminKey_IsAllowed()
    {
        using var cts = new CancellationTokenSource(s_timeout);

        var report = await _app.AdminClient().GetReputationAsync("192.0.2.1", cts.Token);

        Assert.Equal(Verdict.Clean, report.Verdict);
    }

    [Fact]
    public async Task FunctionRoute_WithKeyInCodeQuery_IsAllowed()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        using var http = _app.CreateClient();

        using var response = await http.GetAsync(new Uri($"/v1/reputation/192.0.2.1?code={BlocklistApiApp.FunctionKey}", UriKind.Relative), cts.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task UnknownRoute_Returns404Problem()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        using var http = _app.CreateClient();

        using var response = await http.GetAsync(new Uri("/v1/nothing-here", UriKind.Relative), cts.Token);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cts.Token));
        Assert.Equal(404, body.RootElement.GetProperty("status").GetInt32());
    }
}
