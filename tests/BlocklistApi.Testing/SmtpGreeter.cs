using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BlocklistApi.Testing;

/// <summary>
/// A minimal SMTP responder on loopback for tests of code that reads greetings: it sends the given greeting lines,
/// answers QUIT with 221 and anything else with 502, and counts the connections it accepted (so a test can prove
/// that nothing connected). <see cref="AiosmtpdServer"/> is the real SMTP server.
/// </summary>
public sealed class SmtpGreeter : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly string _greeting;
    private int _connections;
    private int _quits;

    private SmtpGreeter(string greeting, TimeSpan delay)
    {
        _greeting = greeting;
        Delay = delay;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    /// <summary>How long the greeter waits before it greets.</summary>
    public TimeSpan Delay { get; }

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>How many clients said QUIT.</summary>
    public int Quits => Volatile.Read(ref _quits);

    /// <summary>Starts a greeter; <paramref name="greeting"/> is sent as is (give the CRLFs).</summary>
    public static SmtpGreeter Start(string greeting = "220 mail.example.test ESMTP ready\r\n", TimeSpan delay = default) => new(greeting, delay);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
#pragma warning disable VSTHRD003 // Our own loop, started in the constructor.
            await _loop;
#pragma warning restore VSTHRD003
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                if (Delay > TimeSpan.Zero)
                {
                    await Task.Delay(Delay, _stop.Token);
                }

                await stream.WriteAsync(Encoding.ASCII.GetBytes(_greeting), _stop.Token);
                using var reader = new StreamReader(stream, Encoding.ASCII);
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    var quit = line.Trim().Equals("QUIT", StringComparison.OrdinalIgnoreCase);
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(quit ? "221 bye\r\n" : "502 not here\r\n"), _stop.Token);
                    if (quit)
                    {
                        Interlocked.Increment(ref _quits);
                        return;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
            {
            }
        }
    }
}
