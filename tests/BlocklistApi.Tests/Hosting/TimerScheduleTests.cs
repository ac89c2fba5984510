using BlocklistApi.Host.Functions;

namespace BlocklistApi.Tests.Hosting;

public sealed class TimerScheduleTests
{
    private static readonly DateTimeOffset s_start = new(2026, 11, 28, 12, 0, 30, TimeSpan.Zero);

    [Theory]
    [InlineData("0 */5 * * * *", "2026-11-28T12:05:00Z")]
    [InlineData("*/5 * * * *", "2026-11-28T12:05:00Z")]
    [InlineData("0 0 3 * * *", "2026-11-29T03:00:00Z")]
    [InlineData("00:10:00", "2026-11-28T12:10:30Z")]
    public void Next_Schedule_GivesNextOccurrenceInUtc(string expression, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), TimerSchedule.Parse(expression, "T").Next(s_start));
    }

    [Theory]
    [InlineData("every five minutes")]
    [InlineData("0 */5 * * *  * *")]
    [InlineData("61 * * * * *")]
    public void Parse_Invalid_FailsNamingFunction(string expression)
    {
        var error = Assert.Throws<InvalidOperationException>(() => TimerSchedule.Parse(expression, "PurgeTimer"));

        Assert.Contains("PurgeTimer", error.Message);
    }
}
