using Microsoft.Extensions.Time.Testing;

namespace BlocklistApi.IntegrationTests.Infrastructure;

/// <summary>
/// Fake time for the timer functions: moves to an exact instant at once (the self-host's pumps then fire every
/// occurrence due), and waits, bounded by the test's token, until a condition holds.
/// </summary>
public sealed class TimerClock(DateTimeOffset start)
{
    public FakeTimeProvider Time { get; } = new(start);

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>Moves to <paramref name="instant"/>, then waits until <paramref name="condition"/> holds.</summary>
    public async Task AdvanceToAsync(DateTimeOffset instant, Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        if (instant > Now)
        {
            Time.Advance(instant - Now);
        }

        await WaitUntilAsync(condition, cancellationToken);
    }

    public Task AdvanceToAsync(DateTimeOffset instant, Func<bool> condition, CancellationToken cancellationToken) =>
        AdvanceToAsync(instant, () => Task.FromResult(condition()), cancellationToken);

    public static Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken) =>
        WaitUntilAsync(() => Task.FromResult(condition()), cancellationToken);

    /// <summary>Polls every 50 ms of real time until the condition holds; the token (the test's timeout) bounds it.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        while (!await condition())
        {
            await Task.Delay(50, cancellationToken);
        }
    }
}
