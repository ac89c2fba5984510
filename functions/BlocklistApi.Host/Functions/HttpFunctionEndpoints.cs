using System.Globalization;
using System.Reflection;
using BlocklistApi.Auth;
using BlocklistApi.Http;
using Microsoft.Azure.Functions.Worker;

namespace BlocklistApi.Host.Functions;

/// <summary>Maps every HTTP-triggered function to an ASP.NET Core endpoint with the route, methods and auth level of its attribute.</summary>
public static class HttpFunctionEndpoints
{
    public const string KeyHeader = "x-functions-key";
    public const string KeyQuery = "code";

    public static IEndpointRouteBuilder MapFunctions(this IEndpointRouteBuilder endpoints)
    {
        var catalog = endpoints.ServiceProvider.GetRequiredService<FunctionCatalog>();
        var invoker = endpoints.ServiceProvider.GetRequiredService<FunctionInvoker>();
        var authorizer = endpoints.ServiceProvider.GetRequiredService<FunctionKeyAuthorizer>();
        foreach (var function in catalog.Http)
        {
            var http = function.Http!;
            var binders = function.Method.GetParameters().Select(p => Binder(function, p)).ToArray();
            RequestDelegate handler = async context =>
            {
                if (!authorizer.IsAuthorized(http.AuthLevel, PresentedKey(context.Request)))
                {
                    await Problems.Unauthorized().ExecuteAsync(context);
                    return;
                }

                var arguments = binders.Select(b => b(context)).ToArray();
                var result = await invoker.InvokeAsync(function, context.RequestServices, arguments);
                if (result is IResult typed)
                {
                    await typed.ExecuteAsync(context);
                }
            };
            var route = "/" + http.Route.TrimStart('/');
            var builder = http.Methods.Count == 0
                ? endpoints.Map(route, handler)
                : endpoints.MapMethods(route, http.Methods.Select(m => m.ToUpperInvariant()), handler);
            builder.WithName(function.Name).WithMetadata(http);
        }

        return endpoints;
    }

    private static string? PresentedKey(HttpRequest request) =>
        request.Headers.TryGetValue(KeyHeader, out var header) && header.Count > 0 ? header[0] : request.Query[KeyQuery].FirstOrDefault();

    private static Func<HttpContext, object?> Binder(FunctionDescriptor function, ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        if (parameter == function.TriggerParameter || type == typeof(HttpRequest))
        {
            return context => context.Request;
        }

        if (type == typeof(HttpContext))
        {
            return context => context;
        }

        if (type == typeof(CancellationToken))
        {
            return context => context.RequestAborted;
        }

        if (type == typeof(FunctionContext))
        {
            throw new InvalidOperationException($"Function '{function.Name}' takes a FunctionContext, which the self-host cannot provide; take HttpRequest and CancellationToken instead.");
        }

        // Route parameters bind by name, as the worker's binding data does.
        var name = parameter.Name!;
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target != typeof(string) && !target.IsPrimitive && target != typeof(Guid))
        {
            throw new InvalidOperationException($"Function '{function.Name}': parameter '{name}' of type {type.Name} cannot be bound by the self-host; bind route values as strings.");
        }

        return context =>
        {
            var value = context.Request.RouteValues[name];
            if (value is null)
            {
                return type.IsValueType && Nullable.GetUnderlyingType(type) is null ? Activator.CreateInstance(type) : null;
            }

            var text = Convert.ToString(value, CultureInfo.InvariantCulture)!;
            return target == typeof(string) ? text
                : target == typeof(Guid) ? Guid.Parse(text, CultureInfo.InvariantCulture)
                : Convert.ChangeType(text, target, CultureInfo.InvariantCulture);
        };
    }
}
