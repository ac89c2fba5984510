using BlocklistApi.Hosting;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Diagnostics;

/// <summary>How sender diagnostics run. Section <c>Diagnostics</c>.</summary>
public sealed class DiagnosticsOptions
{
    public const string SectionName = "Diagnostics";

    /// <summary>
    /// The longest a whole report may take; a check still running then reports <c>error</c>. Default 00:00:15
    /// (DNS lookups are bounded by Dns:Timeout, SPF by Spf:Timeout; this bounds them together).
    /// </summary>
    [SettingRange("Diagnostics:Timeout", "00:00:01", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The TTL every A, AAAA, MX, NS and PTR record of the sender should have at least. Default 12:00:00 (43200 s),
    /// what large mail providers ask of senders: short TTLs are typical of fast-changing spam infrastructure.
    /// </summary>
    [SettingRange("Diagnostics:MinimumTtl", "00:00:00", "7.00:00:00")]
    public TimeSpan MinimumTtl { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How many MX hosts of the sender's domain are resolved at most (RFC 7208 section 4.6.4 uses 10 too). Default 10.</summary>
    [SettingRange("Diagnostics:MaxMxHosts", 1, 20)]
    public int MaxMxHosts { get; set; } = 10;

    /// <summary>The SMTP greeting check (connects to the checked address).</summary>
    [ValidateObjectMembers]
    public BannerOptions Banner { get; set; } = new();
}

/// <summary>
/// The "banner" check: connect to the checked address's SMTP port, read the 220 greeting, send QUIT. Section
/// <c>Diagnostics:Banner</c>. Anyone can ask us to check any address, so this is off by default, never connects to
/// loopback, private, link-local, multicast or other special-purpose addresses (only <see cref="AllowedNetworks"/>
/// lifts that, for tests), and uses short timeouts.
/// </summary>
public sealed class BannerOptions
{
    /// <summary>Whether the check connects at all. Default false: the check then reports that it did not run.</summary>
    public bool Enabled { get; set; }

    /// <summary>The TCP port to connect to. Default 25 (SMTP, RFC 5321 section 4.5.4.1); tests use another.</summary>
    [SettingRange("Diagnostics:Banner:Port", 1, 65535)]
    public int Port { get; set; } = 25;

    /// <summary>How long connecting may take. Default 00:00:05.</summary>
    [SettingRange("Diagnostics:Banner:ConnectTimeout", "00:00:00", "00:01:00", MinimumIsExclusive = true)]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long we wait for the whole greeting once connected. Default 00:00:05 (RFC 5321 section 4.5.3.2.1 lets a
    /// client wait 5 minutes; a server that takes more than a few seconds is itself worth a warning).
    /// </summary>
    [SettingRange("Diagnostics:Banner:GreetingTimeout", "00:00:00", "00:01:00", MinimumIsExclusive = true)]
    public TimeSpan GreetingTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Networks (CIDR) the check may connect to although they are not public, e.g. 127.0.0.1/32 in tests. Default
    /// none. Never set this in production: it lets anyone make us connect into those networks.
    /// </summary>
    public IList<string> AllowedNetworks { get; set; } = [];
}

/// <summary>The ranges on <see cref="DiagnosticsOptions"/> and its banner section, checked by the options validation source generator.</summary>
[OptionsValidator]
public sealed partial class DiagnosticsOptionsRanges : IValidateOptions<DiagnosticsOptions>;
