using BlocklistApi.Hosting;
using BlocklistApi.Host.Functions;

var builder = WebApplication.CreateBuilder(args);

builder.AddBlocklistApi();
builder.AddFunctionHost(typeof(BlocklistApiHostingExtensions).Assembly);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapHealthChecks("/healthz");
app.MapFunctions();

app.Run();

/// <summary>Visible to WebApplicationFactory in the integration tests.</summary>
public partial class Program;
