namespace BlocklistApi.Hosting;

/// <summary>How background loops wait after a failure: twice as long each time, from the normal interval up to a ceiling.</summary>
public static class Backoff
{
    public static TimeSpan Next(TimeSpan current, TimeSpan initial, TimeSpan max)
    {
        var doubled = current < initial ? initial : TimeSpan.FromTicks(Math.Min(current.Ticks * 2, max.Ticks));
        return doubled > max ? max : doubled;
    }
}
