using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace BlocklistApi.Testing;

/// <summary>
/// Free loopback ports for servers that cannot bind port 0 themselves.
/// </summary>
/// <remarks>
/// A port asked of the kernel with bind(0) comes from the ephemeral range (32768-60999 on Linux), the same range the
/// kernel draws from for the local end of every outgoing connection. Between the moment such a port is handed out and
/// the moment the server binds it, any test's HTTP client can take it as its own local port, and the server then fails
/// with "Address already in use" (seen in CI). So the ports handed out here come from below the ephemeral range, where
/// the kernel never assigns a port on its own; each one is handed out once per test process and checked free by binding it.
/// </remarks>
public static class FreePorts
{
    private const int LowestPort = 12000;
    private static readonly Lock s_gate = new();
    private static readonly HashSet<int> s_handedOut = [];
    private static readonly Random s_random = new(Environment.ProcessId ^ Environment.TickCount);
    private static readonly int s_ephemeralStart = EphemeralRangeStart();

    public static int Tcp() => Next(udpToo: false);

    /// <summary>A port free for both UDP and TCP (DNS servers use both).</summary>
    public static int UdpAndTcp() => Next(udpToo: true);

    public static async Task WaitForTcpAsync(int port, TimeSpan timeout, Func<string>? diagnostics = null)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cts.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Nothing listened on 127.0.0.1:{port} within {timeout}. {diagnostics?.Invoke()}");
            }
        }
    }

    private static int Next(bool udpToo)
    {
        if (s_ephemeralStart <= LowestPort + 1000)
        {
            return FromKernel(udpToo);
        }

        lock (s_gate)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = s_random.Next(LowestPort, s_ephemeralStart);
                if (s_handedOut.Contains(port) || !IsFree(port, udpToo))
                {
                    continue;
                }

                s_handedOut.Add(port);
                return port;
            }
        }

        throw new InvalidOperationException($"No free loopback port found between {LowestPort} and {s_ephemeralStart - 1}.");
    }

    private static bool IsFree(int port, bool udpToo)
    {
        try
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            tcp.Listen();
            if (udpToo)
            {
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            }

            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Where the kernel's own port range is unknown: bind(0), as before.</summary>
    private static int FromKernel(bool udpToo)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            if (!udpToo || IsFreeUdp(port) || attempt >= 20)
            {
                return port;
            }
        }
    }

    private static bool IsFreeUdp(int port)
    {
        try
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The first port of the kernel's ephemeral range (Linux), or 0 when it cannot be read.</summary>
    private static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
                .Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }
}
