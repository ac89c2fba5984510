using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.PostfixPolicy;

/// <summary>
/// Listens on Policy:Listen (TCP) and/or Policy:UnixSocket and serves each Postfix connection for as long as Postfix
/// keeps it: requests one after the other, each answered before the next is read. A connection is closed, with a log
/// line, when a request is too large, when a request that has begun does not arrive within Policy:ReadTimeout, or
/// after Policy:IdleTimeout without one. Binding happens at start, so a taken port stops the start with a message
/// naming the setting; after that nothing a client sends can stop the service.
/// </summary>
public sealed partial class PolicyServer(PolicyService policy, IOptions<PolicyOptions> options, ILogger<PolicyServer> logger) : IHostedService, IAsyncDisposable
{
    private const int MaxConnections = 1000;
    private const int InitialBuffer = 4096;
    private const int MaxBuffer = PolicyProtocol.MaxLineLength * 4;
    private readonly PolicyOptions _options = options.Value;
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly ConcurrentDictionary<int, Task> _connections = new();
    private int _connectionIds;

    /// <summary>The TCP endpoint bound (port 0 in tests becomes the real port), if any.</summary>
    public IPEndPoint? TcpEndPoint { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(_options.Listen))
        {
            if (!PolicyOptionsValidator.TryParseEndpoint(_options.Listen, out var endpoint))
            {
                throw new InvalidOperationException($"Policy__Listen must be address:port (it is '{_options.Listen}').");
            }

            var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            Bind(socket, endpoint, "Policy__Listen");
            TcpEndPoint = (IPEndPoint)socket.LocalEndPoint!;
            Log.Listening(logger, TcpEndPoint.ToString());
        }

        if (!string.IsNullOrWhiteSpace(_options.UnixSocket))
        {
            RemoveStaleSocket(_options.UnixSocket);
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            Bind(socket, new UnixDomainSocketEndPoint(_options.UnixSocket), "Policy__UnixSocket");
            // Postfix's smtpd runs as another user: access is decided by the directory the socket is in.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(_options.UnixSocket, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
            }

            Log.Listening(logger, _options.UnixSocket);
        }

        foreach (var listener in _listeners)
        {
            _acceptLoops.Add(Task.Run(() => AcceptLoopAsync(listener, _stop.Token), CancellationToken.None));
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync();
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        try
        {
            await Task.WhenAll(_acceptLoops.Concat(_connections.Values)).WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        if (!string.IsNullOrWhiteSpace(_options.UnixSocket))
        {
            File.Delete(_options.UnixSocket);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Registered as a singleton and as a hosted service: the container may dispose it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await StopAsync(CancellationToken.None);
        _stop.Dispose();
    }

    private void Bind(Socket socket, EndPoint endpoint, string setting)
    {
        try
        {
            socket.Bind(endpoint);
            socket.Listen(512);
            _listeners.Add(socket);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new InvalidOperationException($"{setting}: cannot listen on {endpoint}: {ex.Message}", ex);
        }
    }

    // A socket file left by a previous run that nobody listens on any more is removed; a live one is not taken over.
    private static void RemoveStaleSocket(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            File.Delete(path);
            return;
        }
        catch (SocketException ex)
        {
            throw new InvalidOperationException($"Policy__UnixSocket: {path} exists and is not a socket we can replace: {ex.Message}", ex);
        }

        throw new InvalidOperationException($"Policy__UnixSocket: another server already listens on {path}.");
    }

    private async Task AcceptLoopAsync(Socket listener, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping);
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.AcceptFailed(logger, ex);
                continue;
            }

            if (_connections.Count >= MaxConnections)
            {
                Log.TooManyConnections(logger, MaxConnections);
                client.Dispose();
                continue;
            }

            // The connection starts only once it is registered, so its own removal cannot come first.
            var id = Interlocked.Increment(ref _connectionIds);
            var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[id] = ServeAsync(client, id, registered.Task, stopping);
            registered.SetResult();
        }
    }

    private async Task ServeAsync(Socket client, int id, Task registered, CancellationToken stopping)
    {
#pragma warning disable VSTHRD003 // A gate completed by the accept loop right after registration; no context to deadlock on.
        await registered;
#pragma warning restore VSTHRD003
        try
        {
            if (client.ProtocolType == ProtocolType.Tcp)
            {
                client.NoDelay = true;
            }

            using (client)
            await using (var stream = new NetworkStream(client, ownsSocket: false))
            {
                await ServeStreamAsync(stream, stopping);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException || (ex is OperationCanceledException && stopping.IsCancellationRequested))
        {
            // Postfix closed the connection, or we are stopping.
        }
        catch (Exception ex)
        {
            Log.ConnectionFailed(logger, ex);
        }
        finally
        {
            _connections.TryRemove(id, out _);
        }
    }

    /// <summary>Serves one connection's requests until it closes, misbehaves or times out.</summary>
    internal async Task ServeStreamAsync(Stream stream, CancellationToken stopping)
    {
        var buffer = new byte[InitialBuffer];
        var count = 0;
        while (!stopping.IsCancellationRequested)
        {
            // Answer every complete request already received (Postfix sends one at a time; a client may pipeline).
            while (true)
            {
                var sequence = new ReadOnlySequence<byte>(buffer, 0, count);
                var status = PolicyProtocol.TryRead(ref sequence, out var request);
                if (status == PolicyReadStatus.TooLarge)
                {
                    Log.TooLarge(logger, PolicyProtocol.MaxLineLength, PolicyProtocol.MaxAttributes);
                    return;
                }

                if (status == PolicyReadStatus.NeedMore)
                {
                    break;
                }

                var rest = (int)sequence.Length;
                Buffer.BlockCopy(buffer, count - rest, buffer, 0, rest);
                count = rest;
                var action = await policy.AnswerAsync(request!, stopping);
                using var write = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                write.CancelAfter(_options.ReadTimeout);
                await stream.WriteAsync(PolicyProtocol.Answer(action), write.Token);
            }

            if (count == buffer.Length)
            {
                if (buffer.Length >= MaxBuffer)
                {
                    Log.TooLarge(logger, PolicyProtocol.MaxLineLength, PolicyProtocol.MaxAttributes);
                    return;
                }

                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var idle = count == 0;
            using var read = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            read.CancelAfter(idle ? _options.IdleTimeout : _options.ReadTimeout);
            int received;
            try
            {
                received = await stream.ReadAsync(buffer.AsMemory(count), read.Token);
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                if (idle)
                {
                    Log.IdleClosed(logger, _options.IdleTimeout);
                }
                else
                {
                    Log.ReadTimedOut(logger, _options.ReadTimeout);
                }

                return;
            }

            if (received == 0)
            {
                if (count > 0)
                {
                    Log.ClosedMidRequest(logger, count);
                }

                return;
            }

            count += received;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(11110, LogLevel.Information, "Postfix policy service listening on {Endpoint}")]
        public static partial void Listening(ILogger logger, string endpoint);

        [LoggerMessage(11111, LogLevel.Warning, "A policy request was too large (lines up to {MaxLine} bytes, {MaxAttributes} attributes); connection closed")]
        public static partial void TooLarge(ILogger logger, int maxLine, int maxAttributes);

        [LoggerMessage(11112, LogLevel.Warning, "A policy request did not arrive in full within {ReadTimeout}; connection closed")]
        public static partial void ReadTimedOut(ILogger logger, TimeSpan readTimeout);

        [LoggerMessage(11113, LogLevel.Debug, "A policy connection was idle for {IdleTimeout}; closed")]
        public static partial void IdleClosed(ILogger logger, TimeSpan idleTimeout);

        [LoggerMessage(11114, LogLevel.Warning, "A policy client closed the connection in the middle of a request ({Bytes} bytes unanswered)")]
        public static partial void ClosedMidRequest(ILogger logger, int bytes);

        [LoggerMessage(11115, LogLevel.Warning, "More than {MaxConnections} policy connections are open; a new one was closed")]
        public static partial void TooManyConnections(ILogger logger, int maxConnections);

        [LoggerMessage(11116, LogLevel.Warning, "Accepting a policy connection failed")]
        public static partial void AcceptFailed(ILogger logger, Exception exception);

        [LoggerMessage(11117, LogLevel.Error, "A policy connection failed")]
        public static partial void ConnectionFailed(ILogger logger, Exception exception);
    }
}
