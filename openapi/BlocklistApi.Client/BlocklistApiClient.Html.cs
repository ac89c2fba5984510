using System.Net;
using System.Text.Json;

namespace BlocklistApi.Client;

/// <summary>
/// The generated client reads every response body as JSON unless its media type is text/plain. The public page is
/// text/html, a string in the OpenAPI document, so an HTML body is handed to the generated code as the JSON string it
/// expects. The generated file itself is never edited; this is NSwag's extension point for responses.
/// </summary>
public partial class BlocklistApiClient
{
    partial void ProcessResponse(HttpClient client, HttpResponseMessage response)
    {
        if (response.Content?.Headers.ContentType?.MediaType == "text/html")
        {
            response.Content = new HtmlAsJsonString(response.Content);
        }
    }

    private sealed class HtmlAsJsonString(HttpContent html) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
            await JsonSerializer.SerializeAsync(stream, await html.ReadAsStringAsync(cancellationToken), cancellationToken: cancellationToken);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                html.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
