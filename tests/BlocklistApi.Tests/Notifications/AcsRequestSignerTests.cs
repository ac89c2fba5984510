using System.Text;
using BlocklistApi.Notifications;

namespace BlocklistApi.Tests.Notifications;

/// <summary>The ACS HMAC scheme against values computed independently of this code.</summary>
public sealed class AcsRequestSignerTests
{
    // base64("blocklist-api-test-access-key-0123456789")
    private const string AccessKey = "YmxvY2tsaXN0LWFwaS10ZXN0LWFjY2Vzcy1rZXktMDEyMzQ1Njc4OQ==";
    private const string Body = "{\"senderAddress\":\"DoNotReply@example.net\"}";
    private static readonly DateTimeOffset s_date = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    // The expected values were computed with openssl, not with this code:
    //   KEY_B64=YmxvY2tsaXN0LWFwaS10ZXN0LWFjY2Vzcy1rZXktMDEyMzQ1Njc4OQ==
    //   BODY='{"senderAddress":"DoNotReply@example.net"}'
    //   HASH=$(printf '%s' "$BODY" | openssl dgst -sha256 -binary | base64 -w0)       # O5UR/bdg...BU0=
    //   printf 'POST\n/emails:send?api-version=2023-03-31\nSat, 28 Nov 2026 12:00:00 GMT;contoso.communication.azure.com;%s' "$HASH" \
    //     | openssl dgst -sha256 -mac HMAC -macopt hexkey:$(printf '%s' "$KEY_B64" | base64 -d | xxd -p -c 256) -binary | base64 -w0
    // and again with Python's hmac module (same result).
    [Fact]
    public async Task SignAsync_FixedDateBodyAndKey_GivesTheIndependentlyComputedSignature()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://contoso.communication.azure.com/emails:send?api-version=2023-03-31")
        {
            Content = new StringContent(Body, Encoding.UTF8, "application/json"),
        };

        await AcsRequestSigner.SignAsync(request, Convert.FromBase64String(AccessKey), s_date, CancellationToken.None);

        Assert.Equal("Sat, 28 Nov 2026 12:00:00 GMT", Assert.Single(request.Headers.GetValues("x-ms-date")));
        Assert.Equal("O5UR/bdg5Rz5JtwHM61dAN4jh1TT2ec+4KvCPK9uBU0=", Assert.Single(request.Headers.GetValues("x-ms-content-sha256")));
        Assert.Equal(
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=PxnbTpod3lLa/XD6GS2jwh11AOgpykCaA/c0xHUkCnk=",
            request.Headers.Authorization!.ToString());
    }

    // A GET has an empty body, whose hash is SHA-256 of nothing (the Azure SDK's own test expects the same value), and
    // a port that is not the scheme's default is part of the host.
    [Fact]
    public async Task SignAsync_GetWithoutBodyOnAPort_HashesTheEmptyBodyAndSignsHostWithPort()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://127.0.0.1:8443/emails/operations/op-1?api-version=2023-03-31");

        await AcsRequestSigner.SignAsync(request, Convert.FromBase64String(AccessKey), s_date, CancellationToken.None);

        Assert.Equal("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", Assert.Single(request.Headers.GetValues("x-ms-content-sha256")));
        Assert.EndsWith("Signature=yz7ur/GGG0g9v74UWrKbJMbULLGiJ11Vjn+wZlqi+5g=", request.Headers.Authorization!.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("endpoint=https://contoso.communication.azure.com/;accesskey=" + AccessKey, "https://contoso.communication.azure.com/")]
    [InlineData("AccessKey=" + AccessKey + "; Endpoint=http://127.0.0.1:5000", "http://127.0.0.1:5000/")]
    public void TryParse_ConnectionString_ReadsEndpointAndKey(string text, string endpoint)
    {
        Assert.True(AcsConnectionString.TryParse(text, out var connection, out _));

        Assert.Equal(endpoint, connection.Endpoint.ToString());
        Assert.Equal("blocklist-api-test-access-key-0123456789", Encoding.UTF8.GetString(connection.AccessKey));
    }

    [Theory]
    [InlineData("accesskey=" + AccessKey)]
    [InlineData("endpoint=contoso;accesskey=" + AccessKey)]
    [InlineData("endpoint=https://contoso.communication.azure.com/")]
    [InlineData("endpoint=https://contoso.communication.azure.com/;accesskey=not base64!")]
    public void TryParse_BadConnectionString_FailsWithoutNamingTheKey(string text)
    {
        Assert.False(AcsConnectionString.TryParse(text, out _, out var error));

        Assert.DoesNotContain(AccessKey, error, StringComparison.Ordinal);
    }
}
