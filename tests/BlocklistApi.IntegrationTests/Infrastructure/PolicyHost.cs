using System.Net.Sockets;
using System.Text;
using BlocklistApi.PostfixPolicy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BlocklistApi.IntegrationTests.Infrastructure;

/// <summary>The policy service in process (the same registration as its Program), on a free port, with its log collected.</summary>
public sealed class PolicyHost : IAsyncDisposable
{
    private readonly IHost _host;

    private PolicyHost(IHost host)
    {
        _host = host;
        EndPoint = host.Services.GetRequiredService<PolicyServer>().TcpEndPoint!;
        Logs = host.Services.GetRequiredService<FakeLogCollector>();
    }

    public System.Net.IPEndPoint EndPoint { get; }

    public FakeLogCollector Logs { get; }

    public static async Task<PolicyHost> StartAsync(IDictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing", DisableDefaults = true });
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Policy:Listen"] = "127.0.0.1:0",
            ["Policy:ApiKey"] = BlocklistApiApp.FunctionKey,
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(all);
        builder.Logging.ClearProviders();
        builder.Logging.AddFakeLogging();
        builder.AddPostfixPolicy();
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new PolicyHost(host);
    }

    /// <summary>A Postfix-like connection: requests go out one at a time, each answered before the next.</summary>
    public async Task<PolicyConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new TcpClient();
        await client.ConnectAsync(EndPoint, cancellationToken);
        return new PolicyConnection(client);
    }

    public int LogCount(int eventId) => Logs.GetSnapshot().Count(r => r.Id.Id == eventId);

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(cts.Token);
        _host.Dispose();
    }
}

/// <summary>One connection to a policy server.</summary>
public sealed class PolicyConnection(TcpClient client) : IDisposable
{
    private readonly NetworkStream _stream = client.GetStream();

    /// <summary>The attributes Postfix sends at RCPT TO, with the given client, sender and recipient.</summary>
    public static string RcptRequest(string clientAddress, string sender, string recipient, string state = "RCPT") =>
        $"request=smtpd_access_policy\nprotocol_state={state}\nprotocol_name=ESMTP\nclient_address={clientAddress}\nclient_name=unknown\n" +
        $"reverse_client_name=unknown\nhelo_name=mail.sender.test\nsender={sender}\nrecipient={recipient}\nrecipient_count=0\nqueue_id=\ninstance=1a2b.3c\nsize=0\n\n";

    public Task<string?> AskAsync(string request, CancellationToken cancellationToken) => AskAsync(Encoding.UTF8.GetBytes(request), cancellationToken);

    /// <summary>Sends bytes and reads one answer ("action=..." up to its empty line); null when the server closed the connection.</summary>
    public async Task<string?> AskAsync(byte[] request, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(request, cancellationToken);
        return await ReadAnswerAsync(cancellationToken);
    }

    public async Task<string?> ReadAnswerAsync(CancellationToken cancellationToken)
    {
        var answer = new StringBuilder();
        var one = new byte[1];
        while (!answer.ToString().EndsWith("\n\n", StringComparison.Ordinal))
        {
            if (await _stream.ReadAsync(one, cancellationToken) == 0)
            {
                return null;
            }

            answer.Append((char)one[0]);
        }

        return answer.ToString().TrimEnd('\n');
    }

    public Task SendAsync(byte[] bytes, CancellationToken cancellationToken) => _stream.WriteAsync(bytes, cancellationToken).AsTask();

    public void Dispose() => client.Dispose();
}
