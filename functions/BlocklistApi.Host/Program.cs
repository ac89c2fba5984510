using BlocklistApi.Host;

SelfHost.Build(SelfHost.CreateBuilder(args)).Run();

/// <summary>Visible to WebApplicationFactory in the integration tests.</summary>
public partial class Program;
