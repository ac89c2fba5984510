using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BlocklistApi.DnsZone;

/// <summary>Registration of the DNS zone (the self-host runs its listener; the Functions host has no UDP listener).</summary>
public static class DnsZoneHostingExtensions
{
    public static IHostApplicationBuilder AddDnsZone(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IValidateOptions<DnsZoneOptions>, DnsZoneOptionsValidator>();
        builder.Services.AddOptions<DnsZoneOptions>().BindConfiguration(DnsZoneOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<DnsZoneService>();
        return builder;
    }
}
