using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace BlocklistApi.Testing;

/// <summary>One zone rbldnsd serves: its name, dataset type (ip4set, ip6trie...) and data file contents.</summary>
public sealed record RbldnsdZone(string Name, string Dataset, string Data);

/// <summary>
/// rbldnsd, the DNSBL server most blocklists run, from Debian, on a free loopback port with the given zones.
/// </summary>
public sealed class RbldnsdServer : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/rbldnsd";
    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _output = new();

    private RbldnsdServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string Server => $"127.0.0.1:{Port}";

    /// <summary>Why rbldnsd cannot be used here, or null if it can.</summary>
    public static string? Unavailable =>
        File.Exists(Executable) ? null : $"rbldnsd is not installed ({Executable}); install the Debian package rbldnsd (.ci/run does).";

    public static async Task<RbldnsdServer> StartAsync(params RbldnsdZone[] zones)
    {
        if (Unavailable is { } why)
        {
            throw new InvalidOperationException(why);
        }

        var directory = Directory.CreateTempSubdirectory("rbldnsd-").FullName;
        // rbldnsd drops privileges to its own user before it reads zone files.
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var port = FreePorts.UdpAndTcp();
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-n", "-q", "-b", $"127.0.0.1/{port.ToString(CultureInfo.InvariantCulture)}", "-r", directory, "-t", "60" })
        {
            start.ArgumentList.Add(argument);
        }

        for (var i = 0; i < zones.Length; i++)
        {
            var file = $"zone{i}.txt";
            var path = Path.Combine(directory, file);
            await File.WriteAllTextAsync(path, zones[i].Data);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            start.ArgumentList.Add($"{zones[i].Name}:{zones[i].Dataset}:{file}");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("rbldnsd could not be started.");
        var server = new RbldnsdServer(process, directory, port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitUntilAnsweringAsync(zones.Length > 0 ? zones[0].Name : "test");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    // rbldnsd answers once it has loaded its zones; ask for the SOA-less RFC 5782 "not listed" point until it does.
    private async Task WaitUntilAnsweringAsync(string zone)
    {
        using var udp = new System.Net.Sockets.UdpClient();
        udp.Connect("127.0.0.1", Port);
        var query = new byte[] { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 }
            .Concat(LoopbackDnsServer.EncodeName("1.0.0.127." + zone))
            .Concat(new byte[] { 0, 1, 0, 1 }).ToArray();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"rbldnsd exited with code {_process.ExitCode}: {Output()}");
            }

            await udp.SendAsync(query);
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            try
            {
                await udp.ReceiveAsync(wait.Token);
                return;
            }
            catch (Exception ex) when (ex is OperationCanceledException or System.Net.Sockets.SocketException)
            {
                // Not listening yet (ICMP port unreachable) or no answer yet.
                await Task.Delay(20);
            }
        }

        throw new TimeoutException($"rbldnsd did not answer on {Server}: {Output()}");
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
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
}
