using Microsoft.Extensions.Options;

namespace BlocklistApi.PublicPage;

/// <summary>Checks <see cref="PublicPageOptions"/> at start.</summary>
public sealed class PublicPageOptionsValidator : IValidateOptions<PublicPageOptions>
{
    public ValidateOptionsResult Validate(string? name, PublicPageOptions options)
    {
        if (string.IsNullOrEmpty(options.Url))
        {
            return ValidateOptionsResult.Success;
        }

        // The URL ends up inside an SMTP reply line: printable ASCII only, no spaces (RFC 5321 section 4.2).
        var valid = Uri.TryCreate(options.Url, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            && options.Url.Length <= 200
            && options.Url.All(c => c is > ' ' and < '\x7f');
        return valid
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"PublicPage:Url must be an absolute http(s) URL of printable ASCII without spaces, at most 200 characters (it is '{options.Url}').");
    }
}
