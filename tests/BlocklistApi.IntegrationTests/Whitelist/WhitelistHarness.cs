using System.Text.RegularExpressions;
using System.Web;
using Azure.Storage.Queues;
using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;
using MimeKit;

namespace BlocklistApi.IntegrationTests.Whitelist;

/// <summary>
/// The self-host on Azurite, mailing through a real SMTP server on loopback (aiosmtpd) that saves what it receives,
/// with DNS from a loopback server: a sender at <see cref="Ip"/> with forward-confirmed rDNS, listed by
/// <see cref="Blocklist"/>. Real time (the queue pumps run on it); every wait is bounded by <see cref="Timeout"/>.
/// </summary>
public sealed partial class WhitelistHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public const string Ip = "81.2.69.161";
    /// <summary>What the requester types: the address from the refusal message.</summary>
    public const string Range = "81.2.69.161";

    /// <summary>The range as the API writes it back.</summary>
    public const string RangeText = "81.2.69.161/32";
    public const string Host = "mail.sender.test";
    public const string Blocklist = "bl.test";
    public const string Requester = "postmaster@sender.test";
    public const string Admin = "postmaster@blocklist.test";

    private WhitelistHarness(LoopbackDnsServer dns, AiosmtpdServer smtp, string mailDirectory, BlocklistApiApp app, AzuriteServer azurite)
    {
        Dns = dns;
        Smtp = smtp;
        MailDirectory = mailDirectory;
        App = app;
        Azurite = azurite;
        Client = app.Client(key: null);
        AdminClient = app.AdminClient();
        FunctionClient = app.Client();
    }

    public LoopbackDnsServer Dns { get; }

    public AiosmtpdServer Smtp { get; }

    public string MailDirectory { get; }

    public BlocklistApiApp App { get; }

    public AzuriteServer Azurite { get; }

    /// <summary>No key: as the public page and the links call the API.</summary>
    public BlocklistApiClient Client { get; }

    public BlocklistApiClient AdminClient { get; }

    /// <summary>A function key: as a mail server calls reputation and greylisting.</summary>
    public BlocklistApiClient FunctionClient { get; }

    /// <summary>Starts the app mailing through aiosmtpd (saving, or answering every DATA with <paramref name="rejectWith"/>).</summary>
    public static async Task<WhitelistHarness> StartAsync(IDictionary<string, string?>? settings = null, string? rejectWith = null, AzuriteServer? azurite = null)
    {
        var unavailable = Peers.SkipReason(AiosmtpdServer.Unavailable);
        Skip.If(unavailable is not null, unavailable);
        var dns = LoopbackDnsServer.Start();
        dns.AddPtr("161.69.2.81.in-addr.arpa", Host);
        dns.AddA(Host, Ip);
        dns.AddTxt("sender.test", "v=spf1 ip4:81.2.69.160/29 -all");
        dns.AddSoa(Blocklist, minimum: 60, ttl: 60);
        dns.AddA("161.69.2.81." + Blocklist, "127.0.0.2", 300);
        var mail = Directory.CreateTempSubdirectory("whitelist-mail-").FullName;
        var smtp = rejectWith is null ? await AiosmtpdServer.StartSavingAsync("mx.blocklist.test", mail) : await AiosmtpdServer.StartRejectingAsync("mx.blocklist.test", rejectWith);
        azurite ??= await AzuriteServer.Shared;
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Dns:Servers:0"] = dns.Server,
            ["Dns:Retries"] = "0",
            ["Dnsbl:Zones:0:Zone"] = Blocklist,
            ["Dnsbl:Zones:0:DelistUrl"] = "https://bl.test/lookup?ip={ip}",
            ["RateLimit:PermitsPerMinute"] = "1000",
            ["Queues:MaxPollingInterval"] = "00:00:00.200",
            ["Email:Transport"] = "smtp",
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:RetryDelay"] = "00:00:00.050",
            ["Greylist:Delay"] = "00:05:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var app = new BlocklistApiApp(azurite, all);
        return new WhitelistHarness(dns, smtp, mail, app, azurite);
    }

    public static CancellationToken Bounded() => new CancellationTokenSource(Timeout).Token;

    public static WhitelistRequestSubmission Submission(string recipient = "bob@customer.test", string? name = "Alice Sender") => new()
    {
        Email = Requester,
        Name = name,
        Ip = Range,
        SenderDomain = "sender.test",
        Recipient = recipient,
        Reason = "Our provider's range is on a blocklist it cannot get removed from, and our old server cannot retry.",
    };

    /// <summary>Every message delivered so far, parsed from the bytes the SMTP server received.</summary>
    public IReadOnlyList<MimeMessage> Messages() =>
        Directory.GetFiles(MailDirectory, "*.eml").Order(StringComparer.Ordinal).Select(path => MimeMessage.Load(path)).ToList();

    /// <summary>Waits for the <paramref name="count"/>-th message to <paramref name="to"/> whose subject contains <paramref name="subject"/>.</summary>
    public async Task<MimeMessage> WaitForMailAsync(string to, string subject, CancellationToken cancellationToken, int count = 1)
    {
        while (true)
        {
            var found = MailTo(to, subject);
            if (found.Count >= count)
            {
                return found[count - 1];
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    public IReadOnlyList<MimeMessage> MailTo(string to, string subject) =>
        Messages().Where(m => m.To.Mailboxes.Any(b => b.Address == to) && (m.Subject ?? "").Contains(subject, StringComparison.Ordinal)).ToList();

    /// <summary>The links of a mail's text part: action, id and token, and the link itself.</summary>
    public static IReadOnlyList<MailLink> Links(MimeMessage message) =>
        LinkPattern().Matches(message.TextBody ?? "").Select(m =>
        {
            var query = HttpUtility.ParseQueryString(new Uri(m.Value).Query);
            return new MailLink(new Uri(m.Value), query["whitelist"]!, query["id"]!, query["token"]!);
        }).ToList();

    public static MailLink Link(MimeMessage message, string action) => Links(message).Single(l => l.Action == action);

    /// <summary>A queue of this app (the provider's name with the app's prefix), read directly.</summary>
    public QueueClient Queue(string name) =>
        new QueueServiceClient(Azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }).GetQueueClient(App.NamePrefix + name);

    /// <summary>Waits until a queue holds no message at all (visible or being handled): its function has finished with them.</summary>
    public async Task WaitUntilEmptyAsync(string queue, CancellationToken cancellationToken)
    {
        var client = Queue(queue);
        while (await client.ExistsAsync(cancellationToken) && (await client.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount > 0)
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    public async Task<WhitelistRequestDetails> DetailsAsync(string id) =>
        (await AdminClient.ListWhitelistRequestsAsync(cancellationToken: Bounded())).Requests.Single(r => r.Id == id);

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Smtp.DisposeAsync();
        await Dns.DisposeAsync();
        Directory.Delete(MailDirectory, recursive: true);
    }

    [GeneratedRegex(@"https://blocklist\.test/\?whitelist=[a-z]+&id=[0-9a-z-]+&token=[0-9A-Za-z._%-]+")]
    private static partial Regex LinkPattern();
}

/// <summary>A link in a whitelist mail.</summary>
public sealed record MailLink(Uri Url, string Action, string Id, string Token)
{
    /// <summary>The page the link opens, on the test server (the path and query of the link).</summary>
    public string PathAndQuery => Url.PathAndQuery;
}
