using System.Text.Json.Serialization;
using BlocklistApi.Hosting;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Greylist;

/// <summary>Which clients are greylisted.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GreylistMode>))]
public enum GreylistMode
{
    /// <summary>Every client not whitelisted (postgrey's behaviour).</summary>
    [JsonStringEnumMemberName("all")] All,

    /// <summary>Only clients without forward-confirmed rDNS, with a dynamic-looking rDNS name, or with a listing score above the threshold.</summary>
    [JsonStringEnumMemberName("suspicious")] Suspicious,
}

/// <summary>What a check answers when the greylist table cannot be used in time.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GreylistFailMode>))]
public enum GreylistFailMode
{
    /// <summary>Accept the message (fail open): a storage outage must not stop the mail.</summary>
    [JsonStringEnumMemberName("accept")] Accept,

    /// <summary>Defer the message with a 4xx (fail closed): the sender retries later.</summary>
    [JsonStringEnumMemberName("defer")] Defer,
}

/// <summary>
/// Triplet greylisting (RFC 6647). Section <c>Greylist</c>; environment variables use <c>Greylist__Delay</c> and so on.
/// Defaults are postgrey's (1.37), and each property names the postgrey flag it mirrors.
/// </summary>
public sealed class GreylistOptions
{
    public const string SectionName = "Greylist";

    /// <summary>
    /// How long a new triplet is deferred: a retry before this is "too-early", one after it "passed".
    /// Default 00:05:00. postgrey <c>--delay=300</c>.
    /// </summary>
    [SettingRange("Greylist:Delay", "00:00:00", "1.00:00:00")]
    public TimeSpan Delay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long after the first attempt the first successful retry may come; a later one starts over as new.
    /// Default 2.00:00:00. postgrey <c>--retry-window=2</c>.
    /// </summary>
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromDays(2);

    /// <summary>
    /// A passed triplet (and an auto-whitelist client) not seen for longer than this is forgotten and purged.
    /// Default 35.00:00:00. postgrey <c>--max-age=35</c>.
    /// </summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(35);

    /// <summary>
    /// IPv4 clients are keyed by their network of this prefix length, so a pool retrying from another address of the
    /// network passes (32 keys by host). Default 24. postgrey <c>--ipv4cidr=24</c> (<c>--lookup-by-host</c> is 32).
    /// </summary>
    [SettingRange("Greylist:Ipv4PrefixLength", 0, 32)]
    public int Ipv4PrefixLength { get; set; } = 24;

    /// <summary>As <see cref="Ipv4PrefixLength"/> for IPv6 (128 keys by host). Default 64. postgrey <c>--ipv6cidr=64</c>.</summary>
    [SettingRange("Greylist:Ipv6PrefixLength", 0, 128)]
    public int Ipv6PrefixLength { get; set; } = 64;

    /// <summary>
    /// A client address that passed greylisting this many times is accepted at once ("auto-whitelisted"); at most one
    /// pass per client per hour counts. 0 turns auto-whitelisting off. Default 5. postgrey <c>--auto-whitelist-clients=5</c>.
    /// </summary>
    [SettingRange("Greylist:AutoWhitelistAfter", 0, 1000)]
    public int AutoWhitelistAfter { get; set; } = 5;

    /// <summary>
    /// <c>all</c> greylists every client that is not whitelisted; <c>suspicious</c> only clients without forward-confirmed
    /// rDNS, with a dynamic-looking rDNS name, or with a listing score above <see cref="SuspiciousScoreThreshold"/>; others
    /// are accepted at once ("trusted"). Default <c>all</c>, postgrey's only behaviour (it has no such flag).
    /// </summary>
    [EnumDataType(typeof(GreylistMode), ErrorMessage = "Greylist:Mode must be 'all' or 'suspicious'.")]
    public GreylistMode Mode { get; set; } = GreylistMode.All;

    /// <summary>
    /// In <c>suspicious</c> mode, a client whose reputation score (block zones' weights minus allow zones') is above this
    /// is greylisted. Default 0: any net block listing. postgrey has no equivalent.
    /// </summary>
    [SettingRange("Greylist:SuspiciousScoreThreshold", -1_000_000d, 1_000_000d)]
    public double SuspiciousScoreThreshold { get; set; }

    /// <summary>
    /// When true, a client whose reputation score is above <see cref="BlocklistRejectScore"/> is rejected ("blocklisted",
    /// a 5xx reply) instead of greylisted. Default false. postgrey has no equivalent (Postfix's <c>reject_rbl_client</c> does this).
    /// </summary>
    public bool BlocklistReject { get; set; }

    /// <summary>The score above which <see cref="BlocklistReject"/> rejects. Default 1 (e.g. one zone of weight 2, or two of weight 1).</summary>
    [SettingRange("Greylist:BlocklistRejectScore", -1_000_000d, 1_000_000d)]
    public double BlocklistRejectScore { get; set; } = 1;

    /// <summary>
    /// Recipients that opted out of greylisting, in postgrey's whitelist_recipients syntax: <c>user@domain</c>,
    /// <c>user@</c> (any domain) and <c>domain</c> (the domain and its subdomains); <c>user+tag</c> forms match too.
    /// Regular expressions are not supported. Default (when not configured): <c>postmaster@</c> and <c>abuse@</c>,
    /// postgrey's shipped /etc/postgrey/whitelist_recipients; configuring any entry replaces them, and a single empty
    /// entry (<c>Greylist__WhitelistRecipients__0=</c>) opts nobody out. postgrey <c>--whitelist-recipients=FILE</c>.
    /// </summary>
    public IList<string>? WhitelistRecipients { get; set; }

    /// <summary>
    /// Client hostnames and domains accepted at once: a domain matches itself and its subdomains, compared with the
    /// client's forward-confirmed rDNS name (never with the name a mail server claims). Default none (postgrey ships a
    /// 2004-era list in /etc/postgrey/whitelist_clients; we do not). postgrey <c>--whitelist-clients=FILE</c>.
    /// </summary>
    public IList<string> WhitelistClients { get; set; } = [];

    /// <summary>
    /// What to answer when the greylist table cannot be read or written within <see cref="StorageTimeout"/>:
    /// <c>accept</c> (fail open, the default, as postgrey's users configure Postfix's
    /// <c>smtpd_policy_service_default_action = DUNNO</c>) or <c>defer</c>.
    /// </summary>
    [EnumDataType(typeof(GreylistFailMode), ErrorMessage = "Greylist:FailMode must be 'accept' or 'defer'.")]
    public GreylistFailMode FailMode { get; set; } = GreylistFailMode.Accept;

    /// <summary>
    /// How long the storage part of one check may take before the fail mode answers. Default 00:00:02.
    /// postgrey has none (Postfix's <c>smtpd_policy_service_timeout</c> bounds the whole call).
    /// </summary>
    [SettingRange("Greylist:StorageTimeout", "00:00:00", "00:01:00", MinimumIsExclusive = true)]
    public TimeSpan StorageTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A known (passed) triplet's last-seen time is written at most once per this interval, so repeated mail on a
    /// known triplet costs one read and no write. It must be well below <see cref="MaxAge"/>: a triplet may be
    /// forgotten up to this much early. Default 1.00:00:00. postgrey writes on every check.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How long this instance answers a known (passed) triplet from memory after reading it, without asking storage.
    /// Safe across instances: a known triplet only stops being known by ageing past <see cref="MaxAge"/>, which the
    /// decision still checks, and refresh writes still happen (with ETags) when due. 00:00:00 turns it off, and every
    /// check reads its triplet. Default 00:01:00. postgrey has no equivalent (its database is local).
    /// </summary>
    [SettingRange("Greylist:KnownTripletCacheTtl", "00:00:00", "01:00:00")]
    public TimeSpan KnownTripletCacheTtl { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long this instance keeps a client's auto-whitelist record in memory before reading it again. Counting stays
    /// exact (writes use ETags); a client that just reached the threshold on another instance may be greylisted here
    /// for up to this long. 00:00:00 turns the cache off. Default 00:05:00.
    /// </summary>
    [SettingRange("Greylist:ClientCacheTtl", "00:00:00", "01:00:00")]
    public TimeSpan ClientCacheTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Whether a retry from another client network continues the triplet of that network when the sender domain's SPF
    /// record authorises the new address (SPF pass; the HELO name for the null sender). Big senders (outlook.com,
    /// Amazon SES, SendGrid) retry from other networks of their pool; without this they are greylisted again and again.
    /// postgrey has no such option. Default true.
    /// </summary>
    public bool SpfSameClient { get; set; } = true;

    /// <summary>How long the SPF check of <see cref="SpfSameClient"/> may take; if it takes longer the retry counts as new. Default 00:00:03.</summary>
    [SettingRange("Greylist:SpfTimeout", "00:00:00", "00:00:30", MinimumIsExclusive = true)]
    public TimeSpan SpfTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often this instance adds its counters to the shared statistics row. Default 00:01:00.</summary>
    [SettingRange("Greylist:StatsFlushInterval", "00:00:01", "1.00:00:00")]
    public TimeSpan StatsFlushInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The table of triplets, clients and statistics. Default Greylist.</summary>
    public string TableName { get; set; } = "Greylist";

    /// <summary>
    /// The public page that deferral and rejection replies name. Not a Greylist setting: it is the shared
    /// <c>PublicPage__Url</c>, set here at start so that greylisting does not depend on the page feature.
    /// </summary>
    public string? PageUrl { get; internal set; }

    /// <summary>The recipients that opted out, with postgrey's defaults when none are configured.</summary>
    internal IReadOnlyList<string> EffectiveWhitelistRecipients =>
        WhitelistRecipients is null ? ["postmaster@", "abuse@"] : WhitelistRecipients.Where(r => !string.IsNullOrWhiteSpace(r)).ToList();
}

/// <summary>The ranges on <see cref="GreylistOptions"/>, checked by the options validation source generator.</summary>
[OptionsValidator]
public sealed partial class GreylistOptionsRanges : IValidateOptions<GreylistOptions>;
