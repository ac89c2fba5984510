using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace BlocklistApi.Notifications;

/// <summary>
/// Signs requests to Azure Communication Services with its access key, as ACS documents it ("Sign an HTTP request with
/// HMAC", and the Azure SDK's HMACAuthenticationPolicy): the request carries <c>x-ms-date</c> (RFC 1123),
/// <c>x-ms-content-sha256</c> (base64 SHA-256 of the body, also of an empty one) and
/// <c>Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&amp;Signature=S</c>, where S is the
/// base64 HMAC-SHA256, keyed with the decoded access key, of "VERB\nPATH_AND_QUERY\nDATE;HOST;CONTENT_HASH" (HOST is
/// the URL's authority: the port too when it is not the scheme's default).
/// </summary>
public static class AcsRequestSigner
{
    public const string DateHeader = "x-ms-date";
    public const string ContentHashHeader = "x-ms-content-sha256";
    public const string SignedHeaders = "x-ms-date;host;x-ms-content-sha256";

    /// <summary>The string to sign for one request.</summary>
    public static string StringToSign(string method, Uri uri, string date, string contentHash) =>
        $"{method.ToUpperInvariant()}\n{uri.PathAndQuery}\n{date};{uri.Authority};{contentHash}";

    /// <summary>base64(SHA-256(body)).</summary>
    public static string ContentHash(ReadOnlySpan<byte> body) => Convert.ToBase64String(SHA256.HashData(body));

    /// <summary>base64(HMAC-SHA256(key, UTF-8 of the string to sign)).</summary>
    public static string Signature(byte[] accessKey, string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(accessKey, Encoding.UTF8.GetBytes(stringToSign)));

    /// <summary>The Authorization header value for a signature.</summary>
    public static string Authorization(string signature) => $"HMAC-SHA256 SignedHeaders={SignedHeaders}&Signature={signature}";

    /// <summary>RFC 1123 date, e.g. "Fri, 08 Apr 2015 03:52:31 GMT".</summary>
    public static string FormatDate(DateTimeOffset now) => now.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture);

    /// <summary>Adds the three headers to <paramref name="request"/> (its content, if any, is read to hash it).</summary>
    public static async Task SignAsync(HttpRequestMessage request, byte[] accessKey, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var date = FormatDate(now);
        var hash = ContentHash(body);
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        request.Headers.Remove(DateHeader);
        request.Headers.Remove(ContentHashHeader);
        request.Headers.TryAddWithoutValidation(DateHeader, date);
        request.Headers.TryAddWithoutValidation(ContentHashHeader, hash);
        var signature = Signature(accessKey, StringToSign(request.Method.Method, uri, date, hash));
        request.Headers.Authorization = new AuthenticationHeaderValue("HMAC-SHA256", $"SignedHeaders={SignedHeaders}&Signature={signature}");
    }
}
