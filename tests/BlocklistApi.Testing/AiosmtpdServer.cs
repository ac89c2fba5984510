using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace BlocklistApi.Testing;

/// <summary>
/// A real SMTP server on loopback: aiosmtpd (Debian's python3-aiosmtpd) run by Debian's python3 on a free port,
/// greeting with the host name given. It discards what it receives, or saves each message's bytes as they arrived to
/// a directory (NNNNNN.eml, written whole then renamed), or answers every DATA with a given reply (a failing relay).
/// Each DATA it sees prints "data N" (see <see cref="DataCommands"/>).
/// </summary>
public sealed class AiosmtpdServer : IAsyncDisposable
{
    public const string Python = "/usr/bin/python3";

    // aiosmtpd's Controller runs the server in a thread; stdin closing (or a kill) ends it.
    private const string Script = """
        import os, sys
        from aiosmtpd.controller import Controller

        class Handler:
            def __init__(self, mode, argument):
                self.mode, self.argument, self.count = mode, argument, 0

            async def handle_DATA(self, server, session, envelope):
                self.count += 1
                print("data %d" % self.count, flush=True)
                if self.mode == "reject":
                    return self.argument
                if self.mode == "save":
                    path = os.path.join(self.argument, "%06d.eml" % self.count)
                    with open(path + ".tmp", "wb") as f:
                        f.write(envelope.original_content)
                    os.rename(path + ".tmp", path)
                return "250 2.0.0 OK"

        handler = Handler(sys.argv[3], sys.argv[4])
        controller = Controller(handler, hostname="127.0.0.1", port=int(sys.argv[1]), server_hostname=sys.argv[2])
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

    /// <summary>How many DATA commands the server has answered (every delivery attempt that got that far).</summary>
    public int DataCommands => Output().Split('\n').Count(line => line.StartsWith("data ", StringComparison.Ordinal));

    /// <summary>A server that accepts and discards every message.</summary>
    public static Task<AiosmtpdServer> StartAsync(string hostName) => StartAsync(hostName, "sink", "-");

    /// <summary>A server that accepts every message and saves it, as received, in <paramref name="directory"/>.</summary>
    public static Task<AiosmtpdServer> StartSavingAsync(string hostName, string directory)
    {
        Directory.CreateDirectory(directory);
        return StartAsync(hostName, "save", directory);
    }

    /// <summary>A server that answers every DATA with <paramref name="reply"/>, e.g. "451 4.3.0 Try again later".</summary>
    public static Task<AiosmtpdServer> StartRejectingAsync(string hostName, string reply) => StartAsync(hostName, "reject", reply);

    private static async Task<AiosmtpdServer> StartAsync(string hostName, string mode, string argument)
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
        foreach (var item in new[] { "-c", Script, port.ToString(CultureInfo.InvariantCulture), hostName, mode, argument })
        {
            start.ArgumentList.Add(item);
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
