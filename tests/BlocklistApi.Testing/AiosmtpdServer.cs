using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace BlocklistApi.Testing;

/// <summary>
/// A real SMTP server on loopback: aiosmtpd (Debian's python3-aiosmtpd) run by Debian's python3 on a free port,
/// greeting with the host name given.
/// </summary>
public sealed class AiosmtpdServer : IAsyncDisposable
{
    public const string Python = "/usr/bin/python3";

    // aiosmtpd's Controller runs the server in a thread; stdin closing (or a kill) ends it.
    private const string Script = """
        import sys
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Sink
        controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]), server_hostname=sys.argv[2])
        controller.start()
        print("ready", flush=True)
        try:
            sys.stdin.read()
        finally:
            controller.stop()
        """;

    private static readonly Lazy<string?> s_unavailable = new(FindProblem);
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AiosmtpdServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Why aiosmtpd cannot be used here, or null if it can.</summary>
    public static string? Unavailable => s_unavailable.Value;

    public static async Task<AiosmtpdServer> StartAsync(string hostName)
    {
        if (Unavailable is { } why)
        {
            throw new InvalidOperationException(why);
        }

        var port = FreePorts.Tcp();
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-c", Script, port.ToString(CultureInfo.InvariantCulture), hostName })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("python3 could not be started.");
        var server = new AiosmtpdServer(process, port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await FreePorts.WaitForTcpAsync(port, TimeSpan.FromSeconds(20), server.Output);
        return server;
    }

    public string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cts.Token);
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private static string? FindProblem()
    {
        if (!File.Exists(Python))
        {
            return $"{Python} is missing; install the Debian packages python3 and python3-aiosmtpd (.ci/run does).";
        }

        using var check = Process.Start(new ProcessStartInfo(Python, ["-c", "import aiosmtpd"]) { RedirectStandardError = true, UseShellExecute = false });
        if (check is null || !check.WaitForExit(TimeSpan.FromSeconds(20)) || check.ExitCode != 0)
        {
            return "aiosmtpd is not installed for /usr/bin/python3; install the Debian package python3-aiosmtpd (.ci/run does).";
        }

        return null;
    }
}
