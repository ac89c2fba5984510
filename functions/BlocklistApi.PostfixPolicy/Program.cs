using BlocklistApi.PostfixPolicy;
using Microsoft.Extensions.Hosting;

// The Postfix policy service: settings from environment variables (Policy__Listen, Policy__ApiBaseUrl, ...) or
// appsettings.json next to the binary, if there is one. Under systemd (Type=notify) it reports readiness and logs to the journal.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddSystemd();
builder.AddPostfixPolicy();
await builder.Build().RunAsync();
