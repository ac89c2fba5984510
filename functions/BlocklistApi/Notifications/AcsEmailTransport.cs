using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace BlocklistApi.Notifications;

/// <summary>
/// Azure Communication Services Email over its REST API (the Azure.Communication.Email package is not used): POST
/// {endpoint}/emails:send?api-version=2023-03-31, then the Operation-Location it answers is polled until the send
/// succeeded or failed. The HttpClient's resilience handler retries 408, 429 (after its Retry-After) and 5xx; the
/// authentication handler inside it signs every attempt anew (HMAC with the access key, or an Entra ID token). The
/// send carries an Operation-Id derived from the Message-ID, so a send the queue repeats is one operation for ACS.
/// ACS writes its own Message-ID and Date; From is Email:From's address (its display name is the sender domain's).
/// </summary>
public sealed partial class AcsEmailTransport(
    IHttpClientFactory httpClients,
    IOptions<EmailOptions> options,
    TimeProvider timeProvider,
    ILogger<AcsEmailTransport> logger) : IEmailTransport
{
    /// <summary>The named HttpClient, with the resilience and authentication handlers.</summary>
    public const string HttpClientName = "acs-email";

    private static readonly TimeSpan s_defaultPollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_maxPollInterval = TimeSpan.FromSeconds(10);
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerOptions.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly EmailOptions _options = options.Value;

    public async Task SendAsync(OutboxMessage message, MailboxAddress from, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(from);
        using var deadline = new CancellationTokenSource(_options.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var http = httpClients.CreateClient(HttpClientName);
        var endpoint = Endpoint(_options.Acs);
        // Not new Uri(endpoint, "emails:send..."): a relative reference that starts "emails:" is a URI of scheme "emails".
        var sendUri = new Uri(endpoint.AbsoluteUri + "emails:send?api-version=" + Uri.EscapeDataString(_options.Acs.ApiVersion));

        using var send = new HttpRequestMessage(HttpMethod.Post, sendUri) { Content = JsonContent.Create(Body(message, from), options: s_json) };
        send.Headers.Add("Operation-Id", OperationId(message.MessageId).ToString());
        using var accepted = await http.SendAsync(send, linked.Token);
        if (accepted.StatusCode != HttpStatusCode.Accepted)
        {
            throw await FailureAsync("send", accepted, linked.Token);
        }

        var location = accepted.Headers.TryGetValues("Operation-Location", out var values) ? values.FirstOrDefault() : null;
        if (!Uri.TryCreate(location, UriKind.Absolute, out var operation) || !string.Equals(operation.Authority, endpoint.Authority, StringComparison.OrdinalIgnoreCase))
        {
            // Never send our credentials to another host.
            throw new InvalidOperationException("ACS accepted the message but its Operation-Location is missing or on another host.");
        }

        var wait = RetryAfter(accepted);
        while (true)
        {
            await Task.Delay(wait, timeProvider, linked.Token);
            using var poll = new HttpRequestMessage(HttpMethod.Get, operation);
            using var response = await http.SendAsync(poll, linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw await FailureAsync("status", response, linked.Token);
            }

            var result = await response.Content.ReadFromJsonAsync<SendResult>(s_json, linked.Token)
                ?? throw new InvalidOperationException("ACS answered the status request with an empty body.");
            switch (result.Status)
            {
                case "Succeeded":
                    Log.Delivered(logger, message.MessageId, result.Id);
                    return;
                case "Failed" or "Canceled":
                    throw new InvalidOperationException($"ACS did not send the message (operation {result.Id}: {result.Status}, {result.Error?.Code}: {result.Error?.Message}).");
            }

            wait = RetryAfter(response);
        }
    }

    internal static Uri Endpoint(AcsEmailOptions acs)
    {
        var endpoint = AcsConnectionString.TryParse(acs.ConnectionString, out var connection, out _) ? connection.Endpoint : new Uri(acs.Endpoint!);
        return endpoint.AbsolutePath.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
    }

    /// <summary>A UUID (the form ACS wants) that is the same for every send of one message.</summary>
    internal static Guid OperationId(string messageId) => new(SHA256.HashData(Encoding.UTF8.GetBytes(messageId)).AsSpan(0, 16));

    private static SendRequest Body(OutboxMessage message, MailboxAddress from) => new(
        from.Address,
        new SendContent(message.Subject, message.Text, message.Html),
        new SendRecipients(message.To.Select(r => new SendAddress(r.Address, r.DisplayName)).ToList()),
        new Dictionary<string, string> { ["Auto-Submitted"] = "auto-generated", ["X-Auto-Response-Suppress"] = "All", ["X-Blocklist-Message-Id"] = message.MessageId },
        UserEngagementTrackingDisabled: true);

    // Retry-After in seconds (or an HTTP date) tells how long to wait before asking about the operation again.
    private TimeSpan RetryAfter(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        var wait = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - timeProvider.GetUtcNow() : s_defaultPollInterval);
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > s_maxPollInterval ? s_maxPollInterval : wait;
    }

    private static async Task<Exception> FailureAsync(string step, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var detail = body.Length > 500 ? body[..500] : body;
        return new HttpRequestException(
            string.Create(CultureInfo.InvariantCulture, $"ACS {step} request answered {(int)response.StatusCode}: {detail}"),
            inner: null,
            response.StatusCode);
    }

    private sealed record SendRequest(string SenderAddress, SendContent Content, SendRecipients Recipients, Dictionary<string, string> Headers, bool UserEngagementTrackingDisabled);

    private sealed record SendContent(string Subject, string PlainText, string? Html);

    private sealed record SendRecipients(IReadOnlyList<SendAddress> To);

    private sealed record SendAddress(string Address, string? DisplayName);

    private sealed record SendResult(string Id, string Status, SendError? Error);

    private sealed record SendError(string? Code, string? Message);

    private static partial class Log
    {
        [LoggerMessage(12021, LogLevel.Debug, "E-mail {MessageId} sent by ACS (operation {OperationId})")]
        public static partial void Delivered(ILogger logger, string messageId, string operationId);
    }
}

/// <summary>
/// Authenticates every request to ACS, retries included (it sits inside the resilience handler): HMAC-SHA256 with the
/// connection string's access key, or a bearer token for https://communication.azure.com from the managed identity.
/// </summary>
public sealed class AcsAuthenticationHandler(IOptions<EmailOptions> options, TimeProvider timeProvider, AcsTokenSource tokens) : DelegatingHandler
{
    private readonly byte[]? _accessKey = AcsConnectionString.TryParse(options.Value.Acs.ConnectionString, out var connection, out _) ? connection.AccessKey : null;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_accessKey is not null)
        {
            await AcsRequestSigner.SignAsync(request, _accessKey, timeProvider.GetUtcNow(), cancellationToken);
        }
        else
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetAsync(cancellationToken));
        }

        return await base.SendAsync(request, cancellationToken);
    }
}

/// <summary>Entra ID tokens for ACS from the app's managed identity (Email:Acs:ClientId) or the default credential chain.</summary>
public sealed class AcsTokenSource(IOptions<EmailOptions> options)
{
    private static readonly TokenRequestContext s_scope = new(["https://communication.azure.com//.default"]);

    private readonly Lazy<TokenCredential> _credential = new(() => options.Value.Acs.ClientId is { Length: > 0 } clientId
        ? new Azure.Identity.ManagedIdentityCredential(Azure.Identity.ManagedIdentityId.FromUserAssignedClientId(clientId))
        : new Azure.Identity.DefaultAzureCredential());

    /// <summary>A token (Azure.Identity caches it until shortly before it expires).</summary>
    public async Task<string> GetAsync(CancellationToken cancellationToken) =>
        (await _credential.Value.GetTokenAsync(s_scope, cancellationToken)).Token;
}
