using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace BlocklistApi.Host.Functions;

/// <summary>An assembly whose [Function] methods the self-host runs.</summary>
public sealed record FunctionAssembly(Assembly Assembly);

/// <summary>Every [Function] method of the registered assemblies, read from their attributes: the self-host keeps no second list.</summary>
public sealed class FunctionCatalog
{
    public FunctionCatalog(IEnumerable<FunctionAssembly> assemblies)
    {
        var functions = new List<FunctionDescriptor>();
        foreach (var assembly in assemblies.Select(a => a.Assembly).Distinct())
        {
            foreach (var type in assembly.GetExportedTypes().Where(t => t is { IsClass: true, IsAbstract: false }))
            {
                foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
                {
                    if (method.GetCustomAttribute<FunctionAttribute>() is { } function)
                    {
                        functions.Add(Describe(function.Name, type, method));
                    }
                }
            }
        }

        var duplicate = functions.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Function name '{duplicate.Key}' is used twice; function names must be unique.");
        }

        Functions = functions;
    }

    public IReadOnlyList<FunctionDescriptor> Functions { get; }

    public IEnumerable<FunctionDescriptor> Http => Functions.Where(f => f.Http is not null);

    public IEnumerable<FunctionDescriptor> Queues => Functions.Where(f => f.Queue is not null);

    public IEnumerable<FunctionDescriptor> Timers => Functions.Where(f => f.Timer is not null);

    private static FunctionDescriptor Describe(string name, Type type, MethodInfo method)
    {
        HttpTriggerAttribute? http = null;
        QueueTriggerAttribute? queue = null;
        TimerTriggerAttribute? timer = null;
        ParameterInfo? triggerParameter = null;
        foreach (var parameter in method.GetParameters())
        {
            http ??= parameter.GetCustomAttribute<HttpTriggerAttribute>();
            queue ??= parameter.GetCustomAttribute<QueueTriggerAttribute>();
            timer ??= parameter.GetCustomAttribute<TimerTriggerAttribute>();
            if (parameter.GetCustomAttributes().Any(a => a is HttpTriggerAttribute or QueueTriggerAttribute or TimerTriggerAttribute))
            {
                triggerParameter = parameter;
            }
        }

        if (triggerParameter is null || new object?[] { http, queue, timer }.Count(t => t is not null) != 1)
        {
            throw new InvalidOperationException($"Function '{name}' ({type.Name}.{method.Name}) needs exactly one HTTP, queue or timer trigger to run on the self-host.");
        }

        if (http is not null && triggerParameter.ParameterType != typeof(HttpRequest))
        {
            throw new InvalidOperationException($"Function '{name}': the HTTP trigger parameter must be an HttpRequest (ASP.NET Core integration).");
        }

        return new FunctionDescriptor(
            name,
            type,
            method,
            triggerParameter,
            http is null ? null : new HttpTriggerInfo(http.Route ?? name, http.Methods ?? [], http.AuthLevel),
            queue is null ? null : new QueueTriggerInfo(queue.QueueName),
            timer is null ? null : new TimerTriggerInfo(timer.Schedule, timer.RunOnStartup));
    }
}

/// <summary>One function as its attributes declare it.</summary>
public sealed record FunctionDescriptor(
    string Name,
    Type Type,
    MethodInfo Method,
    ParameterInfo TriggerParameter,
    HttpTriggerInfo? Http,
    QueueTriggerInfo? Queue,
    TimerTriggerInfo? Timer);

public sealed record HttpTriggerInfo(string Route, IReadOnlyList<string> Methods, AuthorizationLevel AuthLevel);

public sealed record QueueTriggerInfo(string QueueName);

public sealed record TimerTriggerInfo(string Schedule, bool RunOnStartup);
