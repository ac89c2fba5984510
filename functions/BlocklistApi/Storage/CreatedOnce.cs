using System.Collections.Concurrent;

namespace BlocklistApi.Storage;

/// <summary>
/// Tables and queues by name, each created once per process on first use; a creation that failed (storage down) is
/// tried again by the next caller. Lazily rather than at start, so that a storage outage at boot does not stop the app.
/// </summary>
/// <param name="create">Creates the table or queue (if it does not exist) and returns its client.</param>
/// <param name="isGone">Null, or true for the error an operation gets when the table or queue was deleted behind our back.</param>
public sealed class CreatedOnce<T>(Func<string, CancellationToken, Task<T>> create, Func<Exception, bool>? isGone = null)
{
    private readonly ConcurrentDictionary<string, Task<T>> _created = new(StringComparer.Ordinal);

    /// <summary>Forgets that <paramref name="name"/> was created (it was deleted behind our back): the next caller creates it again.</summary>
    public void Forget(string name) => _created.TryRemove(name, out _);

    /// <summary>
    /// Runs <paramref name="operation"/> on the client of <paramref name="name"/>; when the table or queue is gone
    /// (deleted at run time, or a storage emulator that came back empty) it is created again and the operation runs once more.
    /// </summary>
    public async Task<TResult> RunAsync<TResult>(string name, Func<T, CancellationToken, Task<TResult>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation(await GetAsync(name, cancellationToken), cancellationToken);
        }
        catch (Exception ex) when (isGone?.Invoke(ex) == true)
        {
            Forget(name);
            return await operation(await GetAsync(name, cancellationToken), cancellationToken);
        }
    }

    public async Task<T> GetAsync(string name, CancellationToken cancellationToken)
    {
        var task = _created.GetOrAdd(name, create, cancellationToken);
        try
        {
            return await task.WaitAsync(cancellationToken);
        }
        catch
        {
            if (task.IsFaulted || task.IsCanceled)
            {
                _created.TryRemove(new KeyValuePair<string, Task<T>>(name, task));
            }

            throw;
        }
    }
}
