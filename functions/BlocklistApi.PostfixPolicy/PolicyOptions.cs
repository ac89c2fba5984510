namespace BlocklistApi.PostfixPolicy;

/// <summary>What to answer when the API cannot be asked.</summary>
public enum PolicyFailMode
{
    /// <summary><c>action=DUNNO</c>: Postfix goes on with its other restrictions (fail-open).</summary>
    Dunno,
    /// <summary><c>action=DEFER_IF_PERMIT</c>: the client is asked to try again later.</summary>
    Tempfail,
}

/// <summary>The policy service. Section <c>Policy</c>; environment variables <c>Policy__Listen</c> and so on.</summary>
public sealed class PolicyOptions
{
    public const string SectionName = "Policy";

    /// <summary>TCP address:port to listen on (<c>Policy__Listen</c>, e.g. <c>127.0.0.1:10040</c>). This or UnixSocket is required.</summary>
    public string? Listen { get; set; }

    /// <summary>A unix socket path to listen on (<c>Policy__UnixSocket</c>), e.g. /var/spool/postfix/private/blocklist-policy. A stale socket file is replaced.</summary>
    public string? UnixSocket { get; set; }

    /// <summary>The API's base URL (<c>Policy__ApiBaseUrl</c>, e.g. <c>https://blocklist.example.net</c>). Required.</summary>
    public Uri? ApiBaseUrl { get; set; }

    /// <summary>The function key sent in x-functions-key (<c>Policy__ApiKey</c>). Required; never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How long one Postfix request may wait for the API, all calls included (<c>Policy__Timeout</c>). Default 00:00:10.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Also ask the reputation route and refuse listed clients with 554 5.7.1 (<c>Policy__Reputation</c>). Default false.</summary>
    public bool Reputation { get; set; }

    /// <summary>How a greylisting deferral is answered (<c>Policy__DeferAction</c>): <c>DEFER_IF_PERMIT</c> (default) or <c>451</c> (<c>action=451 4.7.1 ...</c>).</summary>
    public string DeferAction { get; set; } = DeferIfPermit;

    /// <summary>Accepted mail gets an <c>X-Greylist:</c> header (<c>Policy__PrependHeader</c>). Default false (<c>action=DUNNO</c>).</summary>
    public bool PrependHeader { get; set; }

    /// <summary>The answer when the API is unreachable, slow or answers 5xx (<c>Policy__FailMode</c>): <c>dunno</c> (default, fail-open) or <c>tempfail</c>.</summary>
    public PolicyFailMode FailMode { get; set; } = PolicyFailMode.Dunno;

    /// <summary>The public page linked from reputation rejections, with ?ip= (<c>Policy__PageUrl</c>). Default: none.</summary>
    public Uri? PageUrl { get; set; }

    /// <summary>
    /// How long a connection may stay idle between requests (<c>Policy__IdleTimeout</c>). Default 00:10:00, longer than
    /// Postfix's own smtpd_policy_service_max_idle (300 s), so Postfix is the one that closes idle connections.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a request that has begun may take to arrive in full (<c>Policy__ReadTimeout</c>). Default 00:00:30.</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public const string DeferIfPermit = "DEFER_IF_PERMIT";
    public const string Defer451 = "451";
}
