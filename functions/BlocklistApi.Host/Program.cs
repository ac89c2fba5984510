using BlocklistApi.Hosting;
using BlocklistApi.Host.Functions;

// Settings files live next to the binary, wherever the host is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

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
