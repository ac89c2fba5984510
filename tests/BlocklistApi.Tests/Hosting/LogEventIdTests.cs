using System.Reflection;
using Microsoft.Extensions.Logging;

namespace BlocklistApi.Tests.Hosting;

/// <summary>
/// Every log event of the self-host (the library and its host) and of the Postfix policy service, which usually
/// logs beside it to the same journal, has an id of its own: operators filter and alert on these ids (1501 and 1502
/// are the monitor's alerts), so one id must never mean two things.
/// </summary>
public sealed class LogEventIdTests
{
    private static readonly string[] s_assemblies = ["BlocklistApi", "BlocklistApi.Host", "BlocklistApi.PostfixPolicy"];

    [Fact]
    public void LoggerMessages_EventIdsAreUniqueAcrossTheSelfHostsAssemblies()
    {
        var events = s_assemblies
            .Select(Assembly.Load)
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(e => e.Attribute is not null)
            .Select(e => (Id: e.Attribute!.EventId, Name: $"{e.Method.DeclaringType!.FullName}.{e.Method.Name}"))
            .ToList();

        var shared = events.GroupBy(e => e.Id).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Name))}")
            .ToList();

        Assert.True(events.Count > 80, $"Only {events.Count} logger messages found: the reflection missed some.");
        Assert.Empty(shared);
    }
}
