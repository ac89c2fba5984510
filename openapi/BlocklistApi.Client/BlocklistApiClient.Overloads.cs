namespace BlocklistApi.Client;

/// <summary>
/// The call that every caller of GET /v1/reputation/{ip} wrote before it gained the optional recipient and sender query
/// parameters: the generated method now puts them before the token, so (ip, token) would no longer compile.
/// </summary>
public partial class BlocklistApiClient
{
    public virtual Task<ReputationReport> GetReputationAsync(string ip, CancellationToken cancellationToken) =>
        GetReputationAsync(ip, recipient: null, sender: null, cancellationToken);
}
