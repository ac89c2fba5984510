using System.Collections.Concurrent;

namespace BlocklistApi.Storage;

/// <summary>
/// Tables and queues by name, each created once per process on first use; a creation that failed (storage down) is
/// tried again by the next caller. Lazily rather than at start, so that a storage outage at boot does not stop the app.
/// </summary>
public sealed class CreatedOnce<T>(Func<string, CancellationToken, Task<T>> create)
{
    private readonly ConcurrentDictionary<string, Task<T>> _created = new(StringComparer.Ordinal);

    /// <summary>Forgets that <paramref name="name"/> was created (it was deleted behind our back): the next caller creates it again.</summary>
    public void Forget(string name) => _created.TryRemove(name, out _);

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
