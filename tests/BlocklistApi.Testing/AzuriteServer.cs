using System.Diagnostics;
using System.Text;

namespace BlocklistApi.Testing;

/// <summary>
/// A real Azurite (the repo's pinned npm install) on free loopback ports, in-memory. One is shared by the whole test
/// run (<see cref="Shared"/>); tests that stop storage start their own.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly object s_sharedLock = new();
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<AzuriteServer, int> s_running = new();
    private static Task<AzuriteServer>? s_shared;

    static AzuriteServer()
    {
        // Whatever a test left running (or frozen) goes with the test process.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var server in s_running.Keys)
            {
                if (server._process is { HasExited: false } process)
                {
                    _ = Kill(process.Id, SigKill);
                }
            }
        };
    }
    private readonly StringBuilder _output = new();
    private Process? _process;

    private AzuriteServer(int blobPort, int queuePort, int tablePort)
    {
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    /// <summary>Tables here, queues on <paramref name="queues"/>: one storage account whose queue service can fail alone.</summary>
    public string ConnectionStringWithQueuesOn(AzuriteServer queues) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"QueueEndpoint=http://127.0.0.1:{queues.QueuePort}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    public bool IsRunning => _process is { HasExited: false };

    public static Task<AzuriteServer> Shared
    {
        get
        {
            lock (s_sharedLock)
            {
                return s_shared ??= StartSharedAsync();
            }
        }
    }

    public static async Task<AzuriteServer> StartAsync()
    {
        var server = new AzuriteServer(FreePorts.Tcp(), FreePorts.Tcp(), FreePorts.Tcp());
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts (again) on the same ports; an in-memory Azurite comes back empty.</summary>
    public async Task RestartAsync()
    {
        var script = Path.Combine(RepoPaths.Root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"Azurite is not installed at {script}. Run 'npm ci' in {RepoPaths.Root} (scripts/test.sh does).");
        }

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in new[]
        {
            script, "--inMemoryPersistence", "--silent", "--skipApiVersionCheck", "--disableProductStyleUrl",
            "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
        s_running[this] = _process.Id;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        // Node starts Azurite in about a second; on a loaded machine with several starting at once it can take far longer.
        await FreePorts.WaitForTcpAsync(QueuePort, TimeSpan.FromSeconds(90), Output);
        await FreePorts.WaitForTcpAsync(TablePort, TimeSpan.FromSeconds(90), Output);
    }

    /// <summary>Kills Azurite: a storage outage.</summary>
    /// <remarks>
    /// SIGKILL straight to the one node process (Azurite starts no children). Not Process.Kill(entireProcessTree),
    /// which stops the process first to list its children: two frozen Azurites outlived their test runs that way.
    /// </remarks>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            _ = Kill(process.Id, SigKill);
            await process.WaitForExitAsync();
        }

        s_running.TryRemove(this, out _);
    }

    /// <summary>
    /// Freezes Azurite (SIGSTOP): connections are accepted by the kernel but nothing answers, as with a network
    /// partition or a stalled storage service. <see cref="Thaw"/> lets it go on.
    /// </summary>
    public void Freeze() => Signal(SigStop);

    /// <summary>Lets a frozen Azurite go on (SIGCONT).</summary>
    public void Thaw() => Signal(SigCont);

    public async ValueTask DisposeAsync()
    {
        if (IsRunning)
        {
            Thaw();
        }

        await StopAsync();
        _process?.Dispose();
    }

    private const int SigKill = 9;
    private const int SigCont = 18;
    private const int SigStop = 19;

    private void Signal(int signal)
    {
        if (_process is not { HasExited: false } process || Kill(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"Azurite could not be sent signal {signal}: it is not running.");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private string Output()
    {
        lock (_output)
        {
            return "Azurite said: " + _output;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static async Task<AzuriteServer> StartSharedAsync()
    {
        // Stopped with every other one when the test process exits.
        return await StartAsync();
    }
}
