using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace BlocklistApi.Testing;

/// <summary>
/// A private Postfix instance (Debian's postfix) for tests: its own config_directory, queue_directory, data_directory
/// and mailbox under a temporary folder, SMTP on a free loopback port only, never the system instance. smtpd runs
/// chrooted in the queue directory, so it resolves names with the queue directory's etc/resolv.conf: the name server
/// given (which must listen on port 53). Clients on 127.0.0.0/8 may use XCLIENT to play any client address.
/// Mail for the domain given is delivered by the virtual transport to one mbox file (<see cref="MailboxPath"/>).
/// Starting and stopping need root, as Postfix itself does.
/// </summary>
public sealed class PostfixServer : IAsyncDisposable
{
    public const string PostfixCommand = "/usr/sbin/postfix";
    public const string SwaksCommand = "/usr/bin/swaks";
    private readonly string _directory;

    private PostfixServer(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string MailboxPath => Path.Combine(_directory, "mail", "inbox");

    private string ConfigDirectory => Path.Combine(_directory, "conf");

    /// <summary>Why a private Postfix cannot run here, or null if it can.</summary>
    public static string? Unavailable =>
        !File.Exists(PostfixCommand) ? $"postfix is not installed ({PostfixCommand}); install the Debian package postfix (.ci/run does)."
        : !File.Exists(SwaksCommand) ? $"swaks is not installed ({SwaksCommand}); install the Debian package swaks (.ci/run does)."
        : !Environment.IsPrivilegedProcess ? "a private Postfix instance must be started as root (CI runs as root)."
        : null;

    /// <param name="nameServer">The address of the name server smtpd asks (port 53), e.g. 127.53.0.1.</param>
    /// <param name="mailDomain">The domain Postfix accepts mail for, e.g. example.net.</param>
    /// <param name="recipientRestrictions">smtpd_recipient_restrictions, e.g. "reject_unauth_destination, check_policy_service inet:127.0.0.1:10040".</param>
    /// <param name="cancellationToken">Bounds the start.</param>
    public static async Task<PostfixServer> StartAsync(string nameServer, string mailDomain, string recipientRestrictions, CancellationToken cancellationToken)
    {
        if (Unavailable is { } why)
        {
            throw new InvalidOperationException(why);
        }

        var directory = Directory.CreateTempSubdirectory("postfix-").FullName;
        var port = FreePorts.Tcp();
        var server = new PostfixServer(directory, port);
        try
        {
            await server.ConfigureAsync(nameServer, mailDomain, recipientRestrictions, cancellationToken);
            var (code, output) = await RunAsync(PostfixCommand, ["-c", server.ConfigDirectory, "start"], cancellationToken);
            if (code != 0)
            {
                throw new InvalidOperationException($"postfix start exited with {code}: {output}\n{server.Log()}");
            }

            await FreePorts.WaitForTcpAsync(port, TimeSpan.FromSeconds(30), server.Log);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Postfix's log (maillog_file).</summary>
    public string Log()
    {
        var path = Path.Combine(_directory, "maillog");
        return File.Exists(path) ? "Postfix log:\n" + File.ReadAllText(path) : "(no Postfix log)";
    }

    /// <summary>The mailbox's contents so far ("" before the first delivery).</summary>
    public string Mailbox() => File.Exists(MailboxPath) ? File.ReadAllText(MailboxPath) : "";

    /// <summary>Waits until the mailbox holds <paramref name="text"/> (a delivery is asynchronous after "250 queued").</summary>
    public async Task<string> WaitForMailAsync(string text, CancellationToken cancellationToken)
    {
        while (true)
        {
            var mailbox = Mailbox();
            if (mailbox.Contains(text, StringComparison.Ordinal))
            {
                return mailbox;
            }

            try
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No mail with '{text}' was delivered. Mailbox:\n{mailbox}\n{Log()}");
            }
        }
    }

    /// <summary>
    /// Sends one message with swaks, playing <paramref name="clientAddress"/> through XCLIENT; with
    /// <paramref name="quitAfterRcpt"/> the session ends after RCPT TO. Returns swaks's transcript.
    /// </summary>
    public async Task<string> SendAsync(string clientAddress, string sender, string recipient, string subject, bool quitAfterRcpt, CancellationToken cancellationToken)
    {
        List<string> arguments =
        [
            "--server", $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}", "--timeout", "60",
            "--helo", "mail.sender.test", "--from", sender, "--to", recipient,
            "--xclient", $"ADDR={clientAddress} NAME=[UNAVAILABLE]",
            "--header", $"Subject: {subject}", "--body", $"Test message {subject}",
        ];
        if (quitAfterRcpt)
        {
            arguments.AddRange(["--quit-after", "RCPT"]);
        }

        var (_, output) = await RunAsync(SwaksCommand, arguments, cancellationToken);
        return output;
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            if (Directory.Exists(Path.Combine(_directory, "spool", "pid")))
            {
                await RunAsync(PostfixCommand, ["-c", ConfigDirectory, "stop"], cts.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }

        // Whatever is left of this instance (its master, by the pid file it wrote) is killed; nothing else is touched.
        KillMaster();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void KillMaster()
    {
        var pidFile = Path.Combine(_directory, "spool", "pid", "master.pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return;
        }

        try
        {
            using var master = Process.GetProcessById(pid);
            if (master.ProcessName == "master")
            {
                master.Kill(entireProcessTree: true);
                master.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private async Task ConfigureAsync(string nameServer, string mailDomain, string recipientRestrictions, CancellationToken cancellationToken)
    {
        var conf = Directory.CreateDirectory(ConfigDirectory).FullName;
        var spool = Directory.CreateDirectory(Path.Combine(_directory, "spool")).FullName;
        var data = Directory.CreateDirectory(Path.Combine(_directory, "data")).FullName;
        var mail = Directory.CreateDirectory(Path.Combine(_directory, "mail")).FullName;
        Directory.CreateDirectory(Path.Combine(spool, "etc"));
        var open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(_directory, open);
        File.SetUnixFileMode(mail, open | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
        // The chrooted smtpd reads this, not /etc/resolv.conf.
        await File.WriteAllTextAsync(Path.Combine(spool, "etc", "resolv.conf"), $"nameserver {nameServer}\noptions timeout:2 attempts:2\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(conf, "main.cf"), $"""
            compatibility_level = 3.6
            myhostname = mx.test.example
            mydomain = test.example
            mydestination =
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            queue_directory = {spool}
            data_directory = {data}
            mail_owner = postfix
            setgid_group = postdrop
            maillog_file = {Path.Combine(_directory, "maillog")}
            maillog_file_prefixes = {_directory}
            mynetworks = 127.0.0.0/8
            smtpd_authorized_xclient_hosts = 127.0.0.0/8
            virtual_mailbox_domains = {mailDomain}
            virtual_mailbox_base = {mail}
            virtual_mailbox_maps = static:inbox
            virtual_uid_maps = static:65534
            virtual_gid_maps = static:65534
            virtual_minimum_uid = 100
            alias_maps =
            alias_database =
            biff = no
            smtpd_recipient_restrictions = {recipientRestrictions}

            """, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(conf, "master.cf"), $"""
            127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)} inet n - y - - smtpd
            pickup    unix  n       -       y       60      1       pickup
            cleanup   unix  n       -       y       -       0       cleanup
            qmgr      unix  n       -       n       300     1       qmgr
            rewrite   unix  -       -       y       -       -       trivial-rewrite
            bounce    unix  -       -       y       -       0       bounce
            defer     unix  -       -       y       -       0       bounce
            trace     unix  -       -       y       -       0       bounce
            verify    unix  -       -       y       -       1       verify
            flush     unix  n       -       y       1000?   0       flush
            proxymap  unix  -       -       n       -       -       proxymap
            error     unix  -       -       y       -       -       error
            retry     unix  -       -       y       -       -       error
            discard   unix  -       -       y       -       -       discard
            virtual   unix  -       n       n       -       -       virtual
            anvil     unix  -       -       y       -       1       anvil
            scache    unix  -       -       y       -       1       scache
            postlog   unix-dgram n  -       n       -       1       postlogd

            """, cancellationToken);
        var (code, output) = await RunAsync("/usr/bin/chown", ["postfix", data], cancellationToken);
        if (code != 0)
        {
            throw new InvalidOperationException($"chown postfix {data} failed: {output}");
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string command, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{command} could not be started.");
        process.StandardInput.Close();
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString());
    }
}
