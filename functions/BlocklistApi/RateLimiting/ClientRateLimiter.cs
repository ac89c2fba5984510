using BlocklistApi.Http;
using System.Collections.Concurrent;
using System.Net;
using BlocklistApi.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace BlocklistApi.RateLimiting;

/// <summary>Which limit a request counts against.</summary>
public enum RateLimitPolicy
{
    /// <summary>Anonymous API calls: <see cref="RateLimitOptions.PermitsPerMinute"/>.</summary>
    Api,
    /// <summary>The public page: <see cref="RateLimitOptions.PagePermitsPerMinute"/>.</summary>
    Page,
}

/// <summary>
/// Per-client token buckets on the injected <see cref="TimeProvider"/>, for the anonymous function classes. It is in
/// the library rather than in a host's middleware so that both hosts limit the same way; the client is the
/// connection's remote address (see <see cref="RateLimitOptions.TrustedProxies"/> for proxies).
/// </summary>
public sealed partial class ClientRateLimiter
{
    private const string UnknownClient = "unknown";

    private readonly ConcurrentDictionary<(RateLimitPolicy Policy, string Client), Bucket> _buckets = new();
    private readonly RateLimitOptions _options;
    private readonly IpNetwork[] _trustedProxies;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ClientRateLimiter> _logger;

    public ClientRateLimiter(IOptions<RateLimitOptions> options, TimeProvider timeProvider, ILogger<ClientRateLimiter> logger)
    {
        _options = options.Value;
        _trustedProxies = _options.TrustedProxies.Select(IpNetwork.FromText).ToArray();
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Takes a permit for the request's client; null when allowed, else the 429 answer to return.</summary>
    public RetryAfterProblemResult? Acquire(RateLimitPolicy policy, HttpContext context)
    {
        var client = ClientKey(context.Connection.RemoteIpAddress, context.Request.Headers[_options.ForwardedForHeader]);
        if (TryAcquire(policy, client) is not { } retryAfter)
        {
            return null;
        }

        Log.Limited(_logger, client, policy, retryAfter);
        return RetryAfterProblemResult.TooManyRequests(retryAfter);
    }

    /// <summary>Takes a permit from the client's bucket: null when one was free, else how long until one is.</summary>
    internal TimeSpan? TryAcquire(RateLimitPolicy policy, string client)
    {
        var permits = policy == RateLimitPolicy.Page ? _options.PagePermitsPerMinute : _options.PermitsPerMinute;
        var now = _timeProvider.GetTimestamp();
        if (!_buckets.TryGetValue((policy, client), out var bucket))
        {
            if (_buckets.Count >= _options.MaxTrackedClients)
            {
                Sweep(now);
            }

            bucket = _buckets.GetOrAdd((policy, client), _ => new Bucket(permits, now));
        }

        return bucket.TryTake(now, _timeProvider);
    }

    /// <summary>
    /// The bucket key of a client: its address, or its /<see cref="RateLimitOptions.Ipv6PrefixLength"/> for IPv6.
    /// The forwarded-for header counts only while the address it would replace is a trusted proxy, read from the right
    /// (each proxy appends the address it saw), so a client cannot choose its own key by sending the header.
    /// </summary>
    internal string ClientKey(IPAddress? remote, StringValues forwardedFor)
    {
        if (remote is null)
        {
            // No connection address (an in-memory test server): every such request shares one bucket.
            return UnknownClient;
        }

        var client = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        if (_trustedProxies.Length > 0)
        {
            var entries = forwardedFor.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
            for (var i = entries.Count - 1; i >= 0 && IsTrustedProxy(client); i--)
            {
                if (ParseForwardedAddress(entries[i]) is not { } forwarded)
                {
                    // A proxy we trust wrote something we cannot read: count the request against that proxy.
                    break;
                }

                client = forwarded;
            }
        }

        return client.IsIPv4() ? client.ToString() : IpNetwork.Of(client, _options.Ipv6PrefixLength).ToString();
    }

    /// <summary>An X-Forwarded-For entry: an address, "a.b.c.d:port" or "[v6]:port" (Azure's front end adds the port).</summary>
    internal static IPAddress? ParseForwardedAddress(string entry)
    {
        var text = entry.Trim();
        if (text.StartsWith('[') && text.IndexOf(']', StringComparison.Ordinal) is var close and > 0)
        {
            text = text[1..close];
        }
        else if (text.Count(c => c == ':') == 1)
        {
            text = text[..text.IndexOf(':', StringComparison.Ordinal)];
        }

        return IpAddressParser.ParseOrNull(text);
    }

    private bool IsTrustedProxy(IPAddress address) => _trustedProxies.Any(p => p.Contains(address));

    // Drops buckets that have refilled (they behave exactly like a new one); if none has, drops them all.
    private void Sweep(long now)
    {
        foreach (var (key, bucket) in _buckets)
        {
            if (bucket.IsFull(now, _timeProvider))
            {
                _buckets.TryRemove(key, out _);
            }
        }

        if (_buckets.Count >= _options.MaxTrackedClients)
        {
            Log.TooManyClients(_logger, _buckets.Count);
            _buckets.Clear();
        }
    }

    /// <summary>
    /// A token bucket that holds one minute's permits and refills them evenly, kept as the generic cell rate
    /// algorithm (ITU-T I.371) does: one "theoretical arrival time" in whole ticks, so no rounding creeps in.
    /// </summary>
    private sealed class Bucket(int permitsPerMinute, long created)
    {
        private readonly Lock _lock = new();
        private readonly long _created = created;
        private readonly long _interval = TimeSpan.TicksPerMinute / permitsPerMinute;
        private readonly long _burst = (TimeSpan.TicksPerMinute / permitsPerMinute) * (permitsPerMinute - 1);
        private long _arrival;

        public TimeSpan? TryTake(long now, TimeProvider timeProvider)
        {
            var time = timeProvider.GetElapsedTime(_created, now).Ticks;
            lock (_lock)
            {
                var arrival = Math.Max(_arrival, time);
                if (arrival - time > _burst)
                {
                    return TimeSpan.FromTicks(arrival - time - _burst);
                }

                _arrival = arrival + _interval;
                return null;
            }
        }

        /// <summary>Whether every permit is back, so the bucket behaves exactly like a new one.</summary>
        public bool IsFull(long now, TimeProvider timeProvider)
        {
            var time = timeProvider.GetElapsedTime(_created, now).Ticks;
            lock (_lock)
            {
                return _arrival <= time;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(6001, LogLevel.Debug, "Client {ClientAddress} is over the {Policy} rate limit; retry after {RetryAfter}")]
        public static partial void Limited(ILogger logger, string clientAddress, RateLimitPolicy policy, TimeSpan retryAfter);

        [LoggerMessage(6002, LogLevel.Warning, "Rate limiting tracks {Count} clients, none of them idle: all limits restart")]
        public static partial void TooManyClients(ILogger logger, int count);
    }
}
