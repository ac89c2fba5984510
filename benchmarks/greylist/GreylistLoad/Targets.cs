using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace GreylistLoad;

/// <summary>POST /v1/greylist/check with a function key; HTTP/1.1 keep-alive, one connection per worker.</summary>
internal sealed class HttpTarget(Uri baseAddress, string? key) : ITarget
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Answers by reason, for the run's summary on stderr.</summary>
    public static System.Collections.Concurrent.ConcurrentDictionary<string, int> Reasons { get; } = new(StringComparer.Ordinal);

    public Task<IWorkerConnection> ConnectAsync(CancellationToken cancellationToken) => Task.FromResult<IWorkerConnection>(new Connection(this));

    /// <summary>The storage operations the self-host has run so far (reads, writes), from its /healthz.</summary>
    public async Task<(long Reads, long Writes)> StorageOperationsAsync()
    {
        using var json = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
        var data = json.RootElement.GetProperty("dependencies").GetProperty("storage").GetProperty("data");
        return (data.GetProperty("reads").GetInt64(), data.GetProperty("writes").GetInt64());
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class Connection(HttpTarget target) : IWorkerConnection
    {
        public async Task<Answer> CheckAsync(Check check, CancellationToken cancellationToken)
        {
            var body = JsonSerializer.Serialize(new { clientAddress = check.ClientAddress, sender = check.Sender, recipient = check.Recipient, heloName = "mail.example" });
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/greylist/check") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (target.Key is { } functionKey)
            {
                request.Headers.Add("x-functions-key", functionKey);
            }

            using var response = await target._http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return Answer.Error;
            }

            using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            var reason = json.RootElement.GetProperty("reason").GetString() + (json.RootElement.GetProperty("degraded").GetBoolean() ? "(degraded)" : "");
            Reasons.AddOrUpdate(reason!, 1, (_, n) => n + 1);
            return json.RootElement.GetProperty("action").GetString() switch
            {
                "accept" => Answer.Accept,
                "defer" => Answer.Defer,
                _ => Answer.Error,
            };
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private string? Key => key;
}

/// <summary>
/// The Postfix policy delegation protocol (SMTPD_POLICY_README): "name=value" lines, an empty line, and an
/// "action=..." answer; one persistent connection per worker, as Postfix's policy client keeps them.
/// </summary>
internal sealed class PolicyTarget(string host, int port) : ITarget
{
    public async Task<IWorkerConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(host, port, cancellationToken);
        return new Connection(client);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class Connection(TcpClient client) : IWorkerConnection
    {
        private readonly StreamReader _reader = new(client.GetStream(), Encoding.ASCII);
        private readonly StreamWriter _writer = new(client.GetStream(), Encoding.ASCII) { NewLine = "\n", AutoFlush = false };
        private int _instance;

        public async Task<Answer> CheckAsync(Check check, CancellationToken cancellationToken)
        {
            var request = string.Create(CultureInfo.InvariantCulture,
                $"request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\nclient_address={check.ClientAddress}\nclient_name=unknown\nreverse_client_name=unknown\nhelo_name=mail.example\nsender={check.Sender}\nrecipient={check.Recipient}\nrecipient_count=0\nqueue_id=\ninstance={Environment.CurrentManagedThreadId:x}.{++_instance:x}\nsize=0\n\n");
            await _writer.WriteAsync(request.AsMemory(), cancellationToken);
            await _writer.FlushAsync(cancellationToken);
            string? action = null;
            while (await _reader.ReadLineAsync(cancellationToken) is { } line && line.Length > 0)
            {
                action ??= line;
            }

            // postgrey: DEFER_IF_PERMIT (greylisted), DUNNO or PREPEND X-Greylist (accepted).
            return action is null ? Answer.Error
                : action.StartsWith("action=DEFER", StringComparison.Ordinal) || action.StartsWith("action=4", StringComparison.Ordinal) ? Answer.Defer
                : Answer.Accept;
        }

        public ValueTask DisposeAsync()
        {
            _reader.Dispose();
            _writer.Dispose();
            client.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>
/// Counts Table Storage requests from Azurite's debug log (started with --debug FILE): every request logs one
/// "TableStorageContextMiddleware: RequestMethod=..." line. GET is a read (point read or query page); POST, PUT,
/// MERGE, PATCH and DELETE are writes (an entity-group transaction is one POST to $batch).
/// </summary>
internal sealed class AzuriteOpsCounter
{
    private readonly string _path;
    private long _start;

    private AzuriteOpsCounter(string path) => _path = path;

    /// <summary>Starts counting once Azurite has written out what came before (its log is buffered).</summary>
    public static async Task<AzuriteOpsCounter> StartAsync(string path)
    {
        var counter = new AzuriteOpsCounter(path);
        counter._start = await SettledLengthAsync(path);
        return counter;
    }

    public async Task<(long Reads, long Writes)> CountSinceStartAsync()
    {
        var end = await SettledLengthAsync(_path);
        await using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(_start, SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        long reads = 0, writes = 0, read = _start;
        while (read < end && await reader.ReadLineAsync() is { } line)
        {
            read += line.Length + 1;
            var at = line.IndexOf("TableStorageContextMiddleware: RequestMethod=", StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            if (line.AsSpan(at + 45).StartsWith("GET"))
            {
                reads++;
            }
            else
            {
                writes++;
            }
        }

        return (reads, writes);
    }

    // The log's length once it has not grown for a second and a half.
    private static async Task<long> SettledLengthAsync(string path)
    {
        var length = new FileInfo(path).Length;
        for (var stable = 0; stable < 3;)
        {
            await Task.Delay(500);
            var now = new FileInfo(path).Length;
            stable = now == length ? stable + 1 : 0;
            length = now;
        }

        return length;
    }
}
