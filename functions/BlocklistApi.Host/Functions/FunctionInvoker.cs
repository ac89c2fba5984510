using System.Collections.Concurrent;
using System.Reflection;

namespace BlocklistApi.Host.Functions;

/// <summary>
/// Calls a function method as the Functions worker does: a new instance of its class per invocation, built from the
/// invocation's service scope, and the returned Task awaited.
/// </summary>
public sealed class FunctionInvoker
{
    private readonly ConcurrentDictionary<Type, ObjectFactory> _factories = new();

    public async Task<object?> InvokeAsync(FunctionDescriptor function, IServiceProvider services, object?[] arguments)
    {
        var instance = function.Method.IsStatic
            ? null
            : _factories.GetOrAdd(function.Type, t => ActivatorUtilities.CreateFactory(t, Type.EmptyTypes))(services, null);
        try
        {
            object? result;
            try
            {
                result = function.Method.Invoke(instance, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                throw ex.InnerException;
            }

            return await UnwrapAsync(result, function.Method.ReturnType);
        }
        finally
        {
            if (instance is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else if (instance is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }
    }

    // The declared type decides: an async Task method returns a Task<VoidTaskResult> at run time.
    private static async Task<object?> UnwrapAsync(object? result, Type declared)
    {
        if (result is null)
        {
            return null;
        }

        if (declared.IsGenericType && declared.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            result = declared.GetMethod(nameof(ValueTask<object>.AsTask))!.Invoke(result, null);
            declared = typeof(Task<>).MakeGenericType(declared.GetGenericArguments());
        }

        switch (result)
        {
            case Task task:
                await task;
                // The task has completed: reading Result does not block.
                return declared.IsGenericType ? declared.GetProperty("Result")!.GetValue(task) : null;
            case ValueTask valueTask:
                await valueTask;
                return null;
            default:
                return result;
        }
    }
}
