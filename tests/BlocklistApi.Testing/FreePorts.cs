using System.Net;
using System.Net.Sockets;

namespace BlocklistApi.Testing;

/// <summary>Free loopback ports for servers that cannot bind port 0 themselves.</summary>
public static class FreePorts
{
    public static int Tcp()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A port free for both UDP and TCP (DNS servers use both).</summary>
    public static int UdpAndTcp()
    {
        for (var attempt = 0; ; attempt++)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            try
            {
                using var tcp = new TcpListener(IPAddress.Loopback, port);
                tcp.Start();
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
            }
        }
    }

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
}
