using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using BlocklistApi.DnsZone;
using BlocklistApi.Net;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Host.DnsZone;

/// <summary>
/// The DNS listener of the self-host (DnsZone:Listen): UDP and TCP on one address and port, answering through
/// <see cref="DnsZoneService"/>. It binds when the host starts, so a taken port stops the start with a message that
/// names the setting; after that its loops catch everything but shutdown. TCP follows RFC 7766: two-octet length
/// prefixes, several queries per connection, idle connections closed after <see cref="IdleTimeout"/>.
/// </summary>
internal sealed partial class DnsZoneListener(DnsZoneService zone, IOptions<DnsZoneOptions> options, ILogger<DnsZoneListener> logger) : IHostedService, IAsyncDisposable
{
    internal static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);
    private const int MaxTcpConnections = 256;
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;
    private readonly SemaphoreSlim _tcpSlots = new(MaxTcpConnections);
    private readonly List<Task> _loops = [];
    private Socket? _udp;
    private Socket? _tcp;

    /// <summary>The bound UDP endpoint (the TCP one has the same address and port).</summary>
    public IPEndPoint? EndPoint { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return Task.CompletedTask;
        }

        var endpoint = EndpointParser.ParseValidated([settings.Listen!], 0)[0];
        try
        {
            _udp = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            _udp.Bind(endpoint);
            var bound = (IPEndPoint)_udp.LocalEndPoint!;
            _tcp = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            _tcp.Bind(bound);
            _tcp.Listen(128);
            EndPoint = bound;
        }
        catch (SocketException ex)
        {
            _udp?.Dispose();
            _tcp?.Dispose();
            throw new InvalidOperationException($"DnsZone__Listen: cannot listen on {endpoint} (UDP and TCP): {ex.Message}", ex);
        }

        // A few receive loops on one socket, so one slow lookup (storage) does not hold up the other queries.
        for (var i = 0; i < Math.Max(2, Environment.ProcessorCount); i++)
        {
            _loops.Add(Task.Run(() => UdpLoopAsync(_udp, _stop.Token), CancellationToken.None));
        }

        _loops.Add(Task.Run(() => TcpAcceptLoopAsync(_tcp, _stop.Token), CancellationToken.None));
        Log.Listening(logger, string.Join(", ", zone.Answers!.Zones.Select(z => z.Name)), EndPoint!.ToString());
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync();
        _udp?.Dispose();
        _tcp?.Dispose();
        try
        {
            await Task.WhenAll(_loops).WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
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
        // _tcpSlots is left to the collector: connections still ending may release a slot after this.
        _stop.Dispose();
    }

    private async Task UdpLoopAsync(Socket socket, CancellationToken stopping)
    {
        var buffer = new byte[65535];
        var any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stopping);
                var response = await zone.AnswerAsync(buffer.AsMemory(0, received.ReceivedBytes), udp: true, stopping);
                if (response is not null)
                {
                    await socket.SendToAsync(response, SocketFlags.None, received.RemoteEndPoint, stopping);
                }
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // One bad datagram or an ICMP error from a client must not stop the listener.
                Log.UdpFailed(logger, ex);
            }
        }
    }

    private async Task TcpAcceptLoopAsync(Socket listener, CancellationToken stopping)
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
                Log.TcpFailed(logger, ex);
                continue;
            }

            if (!await _tcpSlots.WaitAsync(0, CancellationToken.None))
            {
                // Too many open connections: close this one rather than queue it.
                client.Dispose();
                continue;
            }

            _ = ServeTcpAsync(client, stopping);
        }
    }

    private async Task ServeTcpAsync(Socket client, CancellationToken stopping)
    {
        try
        {
            using (client)
            await using (var stream = new NetworkStream(client, ownsSocket: false))
            {
                var lengthBytes = new byte[2];
                while (!stopping.IsCancellationRequested)
                {
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                    idle.CancelAfter(IdleTimeout);
                    if (!await ReadExactlyOrEndAsync(stream, lengthBytes, idle.Token))
                    {
                        return;
                    }

                    var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(lengthBytes)];
                    if (message.Length == 0 || !await ReadExactlyOrEndAsync(stream, message, idle.Token))
                    {
                        return;
                    }

                    var response = await zone.AnswerAsync(message, udp: false, stopping);
                    if (response is null)
                    {
                        return;
                    }

                    var framed = new byte[response.Length + 2];
                    BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)response.Length);
                    response.CopyTo(framed, 2);
                    await stream.WriteAsync(framed, idle.Token);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away, stalled past the idle timeout, or we are stopping: close the connection.
        }
        catch (Exception ex)
        {
            Log.TcpFailed(logger, ex);
        }
        finally
        {
            _tcpSlots.Release();
        }
    }

    // False when the client closed the connection before the first byte, or part-way (a truncated message).
    private static async Task<bool> ReadExactlyOrEndAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(11010, LogLevel.Information, "DNS zone {Zones} listening on {Endpoint} (UDP and TCP)")]
        public static partial void Listening(ILogger logger, string zones, string endpoint);

        [LoggerMessage(11011, LogLevel.Warning, "DNS zone: a UDP query could not be answered")]
        public static partial void UdpFailed(ILogger logger, Exception exception);

        [LoggerMessage(11012, LogLevel.Warning, "DNS zone: a TCP connection failed")]
        public static partial void TcpFailed(ILogger logger, Exception exception);
    }
}
