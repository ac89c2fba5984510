using System.Net;
using System.Net.Sockets;
using System.Text;
using BlocklistApi.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Diagnostics;

/// <summary>What happened when we asked a server for its SMTP greeting.</summary>
public enum BannerOutcome
{
    /// <summary>The server sent a complete greeting (any reply code).</summary>
    Greeted,
    /// <summary>The check is turned off (Diagnostics:Banner:Enabled).</summary>
    Disabled,
    /// <summary>The address is not public and not allow-listed: we did not connect.</summary>
    NotAllowed,
    /// <summary>The connection was refused or reset, or the network is unreachable.</summary>
    ConnectFailed,
    /// <summary>No connection within the connect timeout.</summary>
    ConnectTimedOut,
    /// <summary>Connected, but no complete greeting within the greeting timeout, or the server closed first.</summary>
    NoGreeting,
    /// <summary>The server sent something that is not an SMTP greeting.</summary>
    Garbled,
}

/// <summary>The result of <see cref="SmtpBannerReader.ReadAsync"/>.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Port">The port used.</param>
/// <param name="Greeting">The greeting, when <see cref="BannerOutcome.Greeted"/>.</param>
/// <param name="Error">Otherwise, what went wrong, in words.</param>
public sealed record BannerProbe(BannerOutcome Outcome, int Port, SmtpGreeting? Greeting, string? Error);

/// <summary>
/// Reads a mail server's SMTP greeting: connects to the address (never a name, so DNS cannot steer us), reads the
/// greeting, sends QUIT (RFC 5321 section 4.1.1.10) and closes. The SSRF guard is here, next to the connect, so no
/// caller can skip it.
/// </summary>
public sealed partial class SmtpBannerReader
{
    /// <summary>We read at most this much of a greeting.</summary>
    public const int MaxGreetingBytes = 4096;

    private static readonly byte[] s_quit = "QUIT\r\n"u8.ToArray();
    private static readonly TimeSpan s_quitWait = TimeSpan.FromSeconds(1);

    private readonly BannerOptions _options;
    private readonly IpNetwork[] _allowed;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SmtpBannerReader> _logger;

    public SmtpBannerReader(IOptions<DiagnosticsOptions> options, TimeProvider timeProvider, ILogger<SmtpBannerReader> logger)
    {
        _options = options.Value.Banner;
        _allowed = _options.AllowedNetworks.Select(IpNetwork.FromText).ToArray();
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public bool Enabled => _options.Enabled;

    public int Port => _options.Port;

    /// <summary>Never throws for network trouble: it is an outcome.</summary>
    public async Task<BannerProbe> ReadAsync(IPAddress address, CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            return new BannerProbe(BannerOutcome.Disabled, _options.Port, null, "Connecting to mail servers is turned off on this service.");
        }

        if (!SpecialPurposeAddresses.MayConnect(address, _allowed, out var refusal))
        {
            return new BannerProbe(BannerOutcome.NotAllowed, _options.Port, null, $"{address} is {refusal}: we do not connect to such addresses.");
        }

        var target = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        using var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using (var connectDeadline = Within(_options.ConnectTimeout, cancellationToken))
            {
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(target, _options.Port), connectDeadline.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return Failed(BannerOutcome.ConnectTimedOut, target, $"No connection to port {_options.Port} within {_options.ConnectTimeout.TotalSeconds:0.#} s.");
                }
            }

            var probe = await ReadGreetingAsync(socket, target, cancellationToken);
            if (probe.Outcome == BannerOutcome.Greeted)
            {
                await QuitAsync(socket, cancellationToken);
            }

            return probe;
        }
        catch (SocketException ex)
        {
            return Failed(BannerOutcome.ConnectFailed, target, ex.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => $"Port {_options.Port} refused the connection: no mail server listens there.",
                SocketError.ConnectionReset => $"Port {_options.Port} reset the connection.",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => "The address cannot be reached from our network.",
                _ => $"Connecting to port {_options.Port} failed ({ex.SocketErrorCode}).",
            });
        }
    }

    private async Task<BannerProbe> ReadGreetingAsync(Socket socket, IPAddress target, CancellationToken cancellationToken)
    {
        using var deadline = Within(_options.GreetingTimeout, cancellationToken);
        var buffer = new byte[MaxGreetingBytes];
        var received = 0;
        try
        {
            while (received < buffer.Length)
            {
                var count = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, deadline.Token);
                if (count == 0)
                {
                    return Failed(BannerOutcome.NoGreeting, target, received == 0
                        ? "The server closed the connection without a greeting."
                        : "The server closed the connection in the middle of its greeting.");
                }

                received += count;
                var lines = CompleteLines(buffer.AsSpan(0, received));
                switch (SmtpGreeting.TryParse(lines, out var greeting, out var error))
                {
                    case GreetingParse.Complete:
                        return new BannerProbe(BannerOutcome.Greeted, _options.Port, greeting, null);
                    case GreetingParse.Invalid:
                        return Failed(BannerOutcome.Garbled, target, error!);
                }
            }

            return Failed(BannerOutcome.Garbled, target, $"The greeting was longer than {MaxGreetingBytes} bytes.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(BannerOutcome.NoGreeting, target, received == 0
                ? $"Connected, but no greeting came within {_options.GreetingTimeout.TotalSeconds:0.#} s."
                : $"The greeting was not complete after {_options.GreetingTimeout.TotalSeconds:0.#} s.");
        }
    }

    // Says goodbye politely and waits briefly for the 221; the greeting is what we came for, so errors here don't matter.
    private async Task QuitAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var deadline = Within(s_quitWait < _options.GreetingTimeout ? s_quitWait : _options.GreetingTimeout, cancellationToken);
        try
        {
            await socket.SendAsync(s_quit, SocketFlags.None, deadline.Token);
            await socket.ReceiveAsync(new byte[512], SocketFlags.None, deadline.Token);
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.QuitUnanswered(_logger, ex.GetType().Name);
        }
    }

    // The CRLF-terminated lines received so far (a bare LF is accepted too); a partial last line waits for more.
    internal static List<string> CompleteLines(ReadOnlySpan<byte> received)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < received.Length; i++)
        {
            if (received[i] == '\n')
            {
                var end = i > start && received[i - 1] == '\r' ? i - 1 : i;
                lines.Add(Encoding.Latin1.GetString(received[start..end]));
                start = i + 1;
            }
        }

        return lines;
    }

    private BannerProbe Failed(BannerOutcome outcome, IPAddress target, string error)
    {
        Log.ProbeFailed(_logger, target.ToString(), _options.Port, outcome);
        return new BannerProbe(outcome, _options.Port, null, error);
    }

    private Deadline Within(TimeSpan timeout, CancellationToken cancellationToken) => new(timeout, _timeProvider, cancellationToken);

    /// <summary>A token cancelled by the caller or after a timeout on the injected clock, whichever comes first.</summary>
    private sealed class Deadline : IDisposable
    {
        private readonly CancellationTokenSource _timer;
        private readonly CancellationTokenSource _linked;

        public Deadline(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
        {
            _timer = new CancellationTokenSource(timeout, timeProvider);
            _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timer.Token);
        }

        public CancellationToken Token => _linked.Token;

        public void Dispose()
        {
            _linked.Dispose();
            _timer.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(4101, LogLevel.Debug, "SMTP greeting of {ClientAddress} port {Port}: {Outcome}")]
        public static partial void ProbeFailed(ILogger logger, string clientAddress, int port, BannerOutcome outcome);

        [LoggerMessage(4102, LogLevel.Debug, "SMTP QUIT was not answered: {Error}")]
        public static partial void QuitUnanswered(ILogger logger, string error);
    }
}
