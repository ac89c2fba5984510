namespace BlocklistApi.Auth;

/// <summary>
/// Keys the self-host accepts (in Azure the Functions host manages keys itself). Section <c>Auth</c>.
/// A key is sent in the <c>x-functions-key</c> header or the <c>code</c> query parameter.
/// </summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>Keys for routes of auth level Function (<c>Auth__FunctionKeys__0</c>). Default: none, so those routes answer 401.</summary>
    public IList<string> FunctionKeys { get; set; } = [];

    /// <summary>Keys for routes of auth level Admin (<c>Auth__AdminKeys__0</c>); they also pass Function routes. Default: none.</summary>
    public IList<string> AdminKeys { get; set; } = [];
}
