using BlocklistApi.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.PostfixPolicy;

/// <summary>
/// Decides one policy request. Only requests at protocol_state=RCPT ask the API (the triplet is known only then);
/// everything else, and every malformed request, is DUNNO. The API is asked through the generated client within
/// Policy:Timeout for all its calls together; unreachable, slow or 5xx gives Policy:FailMode's answer, logged once
/// per outage (and once when it ends), never per request.
/// </summary>
public sealed partial class PolicyService(BlocklistApiClient client, IOptions<PolicyOptions> options, TimeProvider timeProvider, ILogger<PolicyService> logger)
{
    private readonly PolicyOptions _options = options.Value;
    private readonly string _hostName = Environment.MachineName;
    private int _down;
    private long _failedDuringOutage;

    public async Task<string> AnswerAsync(PolicyRequest request, CancellationToken cancellationToken)
    {
        if (request.Problem is { } problem)
        {
            Log.Malformed(logger, problem);
            return PolicyActions.Dunno;
        }

        if (request["request"] != "smtpd_access_policy" || !string.Equals(request["protocol_state"], "RCPT", StringComparison.OrdinalIgnoreCase))
        {
            return PolicyActions.Dunno;
        }

        if (request["client_address"] is not { Length: > 0 } clientAddress)
        {
            Log.NoClientAddress(logger);
            return PolicyActions.Dunno;
        }

        using var deadline = new CancellationTokenSource(_options.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            var action = await AskAsync(request, clientAddress, linked.Token);
            Recovered();
            return action;
        }
        catch (ApiException ex) when (ex.StatusCode == 400)
        {
            // The API refused what Postfix sent (an address it cannot parse): not an outage, and nothing to greylist.
            Recovered();
            Log.Refused(logger, clientAddress, FirstLine(ex.Response));
            return PolicyActions.Dunno;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (ex is OperationCanceledException or HttpRequestException or ApiException or System.Text.Json.JsonException or IOException))
        {
            Failed(ex, deadline.IsCancellationRequested);
            return PolicyActions.ForFailure(_options.FailMode);
        }
    }

    private async Task<string> AskAsync(PolicyRequest request, string clientAddress, CancellationToken cancellationToken)
    {
        if (_options.Reputation)
        {
            var report = await client.GetReputationAsync(clientAddress, cancellationToken);
            if (report.Verdict == Verdict.Listed)
            {
                return PolicyActions.ForListing(report, _options.PageUrl);
            }
        }

        var verdict = await client.CheckGreylistAsync(
            new GreylistCheckRequest
            {
                ClientAddress = clientAddress,
                Sender = request["sender"] ?? "",
                Recipient = request["recipient"] ?? "",
                HeloName = request["helo_name"] is { Length: > 0 } helo ? helo : null,
                ClientName = request["client_name"] is { Length: > 0 } name && name != "unknown" ? name : null,
            },
            cancellationToken);
        return PolicyActions.ForVerdict(verdict, _options, _hostName, timeProvider.GetUtcNow());
    }

    private void Failed(Exception exception, bool timedOut)
    {
        Interlocked.Increment(ref _failedDuringOutage);
        if (Interlocked.Exchange(ref _down, 1) == 0)
        {
            var why = timedOut ? $"no answer within {_options.Timeout}" : exception is ApiException api ? $"HTTP {api.StatusCode}" : exception.Message;
            Log.ApiDown(logger, _options.ApiBaseUrl, why, PolicyActions.ForFailure(_options.FailMode));
        }
    }

    private void Recovered()
    {
        if (Volatile.Read(ref _down) == 1 && Interlocked.Exchange(ref _down, 0) == 1)
        {
            Log.ApiBack(logger, _options.ApiBaseUrl, Interlocked.Exchange(ref _failedDuringOutage, 0));
        }
    }

    private static string FirstLine(string? text) => PolicyActions.OneLine((text ?? "").Split('\n')[0]);

    private static partial class Log
    {
        [LoggerMessage(11101, LogLevel.Warning, "Malformed policy request ({Problem}); answered DUNNO")]
        public static partial void Malformed(ILogger logger, string problem);

        [LoggerMessage(11102, LogLevel.Warning, "Policy request at RCPT without client_address; answered DUNNO")]
        public static partial void NoClientAddress(ILogger logger);

        [LoggerMessage(11103, LogLevel.Warning, "The API refused the request for client {ClientAddress} (400: {Detail}); answered DUNNO")]
        public static partial void Refused(ILogger logger, string clientAddress, string detail);

        [LoggerMessage(11104, LogLevel.Error, "The API at {ApiBaseUrl} is not answering ({Error}); answering '{Action}' until it does")]
        public static partial void ApiDown(ILogger logger, Uri? apiBaseUrl, string error, string action);

        [LoggerMessage(11105, LogLevel.Warning, "The API at {ApiBaseUrl} answers again; {Requests} requests got the fail mode's answer meanwhile")]
        public static partial void ApiBack(ILogger logger, Uri? apiBaseUrl, long requests);
    }
}
