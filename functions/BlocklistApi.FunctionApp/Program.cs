using BlocklistApi.FunctionApp;
using Microsoft.Extensions.Hosting;

FunctionAppHost.CreateBuilder(args).Build().Run();
