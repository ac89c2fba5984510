using BlocklistApi.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace BlocklistApi.FunctionApp;

/// <summary>The one catch-all at the edge: logs an unhandled exception once and answers HTTP callers with problem+json.</summary>
internal sealed partial class ProblemDetailsMiddleware(ILogger<ProblemDetailsMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (context.GetHttpContext() is { } httpContext && !httpContext.Response.HasStarted)
        {
            Log.Unhandled(logger, context.FunctionDefinition.Name, ex);
            await Problems.FromException(ex).ExecuteAsync(httpContext);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(9001, LogLevel.Error, "Function {Function} failed")]
        public static partial void Unhandled(ILogger logger, string function, Exception exception);
    }
}
