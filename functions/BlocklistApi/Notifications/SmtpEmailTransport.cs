using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Polly;
using Polly.Retry;

namespace BlocklistApi.Notifications;

/// <summary>
/// SMTP with MailKit to Email:Smtp:Host: one connection per message (notifications are few), secured as
/// Email:Smtp:Security says, authenticated when a user name is set. Transient failures (a 4xx reply, a refused or
/// dropped connection, a timeout) are tried again Email:RetryAttempts times with a doubling pause; a 5xx reply is final
/// for this delivery (the queue still tries the message again, and then poisons it).
/// </summary>
public sealed partial class SmtpEmailTransport : IEmailTransport
{
    private readonly SmtpEmailOptions _smtp;
    private readonly TimeSpan _timeout;
    private readonly ResiliencePipeline _pipeline;
    private readonly ILogger<SmtpEmailTransport> _logger;

    public SmtpEmailTransport(IOptions<EmailOptions> options, TimeProvider timeProvider, ILogger<SmtpEmailTransport> logger)
    {
        _smtp = options.Value.Smtp;
        _timeout = options.Value.Timeout;
        _logger = logger;
        _pipeline = EmailRetry.Pipeline(options.Value, timeProvider, IsTransient, (attempt, exception) => Log.Retrying(_logger, attempt, exception));
    }

    public async Task SendAsync(OutboxMessage message, MailboxAddress from, CancellationToken cancellationToken)
    {
        var mime = EmailMime.Build(message, from);
        await _pipeline.ExecuteAsync(async token => await SendOnceAsync(mime, token), cancellationToken);
    }

    /// <summary>4xx replies and connection trouble are worth another try; 5xx replies and protocol violations are not.</summary>
    internal static bool IsTransient(Exception exception) => exception switch
    {
        SmtpCommandException command => (int)command.StatusCode is >= 400 and < 500,
        SmtpProtocolException or ServiceNotConnectedException or SocketException or IOException or TimeoutException => true,
        Polly.Timeout.TimeoutRejectedException => true,
        _ => false,
    };

    private async Task SendOnceAsync(MimeMessage mime, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient { Timeout = (int)_timeout.TotalMilliseconds };
        var security = _smtp.Security switch
        {
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.None,
        };
        await client.ConnectAsync(_smtp.Host!, _smtp.Port, security, cancellationToken);
        if (!string.IsNullOrEmpty(_smtp.Username))
        {
            await client.AuthenticateAsync(_smtp.Username, _smtp.Password ?? "", cancellationToken);
        }

        await client.SendAsync(mime, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(12011, LogLevel.Warning, "SMTP delivery attempt {Attempt} failed; trying again")]
        public static partial void Retrying(ILogger logger, int attempt, Exception? exception);
    }
}

/// <summary>The retry policy inside one send: Email:RetryAttempts attempts, each within Email:Timeout, pauses doubling from Email:RetryDelay.</summary>
internal static class EmailRetry
{
    public static ResiliencePipeline Pipeline(EmailOptions options, TimeProvider timeProvider, Func<Exception, bool> isTransient, Action<int, Exception?> onRetry)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider };
        if (options.RetryAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.RetryAttempts - 1,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } exception && isTransient(exception)),
                OnRetry = args =>
                {
                    onRetry(args.AttemptNumber + 1, args.Outcome.Exception);
                    return ValueTask.CompletedTask;
                },
            });
        }

        return builder.AddTimeout(options.Timeout).Build();
    }
}
