using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using BlocklistApi.Auth;
using BlocklistApi.Dns;
using BlocklistApi.Greylist;
using BlocklistApi.Lists;
using BlocklistApi.Monitors;
using BlocklistApi.Net;
using BlocklistApi.Notifications;
using BlocklistApi.PublicPage;
using BlocklistApi.RateLimiting;
using BlocklistApi.Reputation;
using BlocklistApi.Spf;
using BlocklistApi.Storage;
using BlocklistApi.Whitelist;
using BlocklistApi.Zones;
using DnsClient;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using DiagnosticsOptions = BlocklistApi.Diagnostics.DiagnosticsOptions;

namespace BlocklistApi.Hosting;

/// <summary>All of the app's registration; both hosts call it, and it is the only code that reads configuration.</summary>
public static class BlocklistApiHostingExtensions
{
    public static IHostApplicationBuilder AddBlocklistApi(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddProblemDetails();
        // Every background loop catches its own failures and tries again; this is the second line, not the first.
        services.Configure<HostOptions>(host => host.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore);

        AddValidatedOptions<DnsOptions, DnsOptionsValidator>(services, DnsOptions.SectionName);
        AddValidatedOptions<DnsblOptions, DnsblOptionsValidator>(services, DnsblOptions.SectionName);
        AddValidatedOptions<ReputationCacheOptions, ReputationCacheOptionsValidator>(services, ReputationCacheOptions.SectionName);
        AddValidatedOptions<HostedListOptions, HostedListOptionsValidator>(services, HostedListOptions.SectionName);
        AddValidatedOptions<AuthOptions, AuthOptionsValidator>(services, AuthOptions.SectionName);
        AddValidatedOptions<SpfOptions, SpfOptionsValidator>(services, SpfOptions.SectionName);
        AddValidatedOptions<DiagnosticsOptions, Diagnostics.DiagnosticsOptionsValidator>(services, DiagnosticsOptions.SectionName);
        AddValidatedOptions<RateLimitOptions, RateLimitOptionsValidator>(services, RateLimitOptions.SectionName);
        AddValidatedOptions<QueueTriggerOptions, QueueTriggerOptionsValidator>(services, QueueTriggerOptions.SectionName);
        AddValidatedOptions<GreylistOptions, GreylistOptionsValidator>(services, GreylistOptions.SectionName)
            .Configure<IOptions<PublicPageOptions>>((greylist, page) => greylist.PageUrl = page.Value.Url is { Length: > 0 } url ? url : null);
        AddValidatedOptions<PublicPageOptions, PublicPageOptionsValidator>(services, PublicPageOptions.SectionName);
        AddValidatedOptions<StorageOptions, StorageOptionsValidator>(services, StorageOptions.SectionName)
            .Configure<IConfiguration>(ReadStorageConnection);
        AddValidatedOptions<ZoneHealthOptions, ZoneHealthOptionsValidator>(services, ZoneHealthOptions.SectionName);
        AddValidatedOptions<MonitorOptions, MonitorOptionsValidator>(services, MonitorOptions.SectionName);

        AddStorage(services);
        services.AddSingleton<IDnsQuery>(CreateDnsClient);
        services.AddSingleton<DnsLookupService>();
        services.AddSingleton<FunctionKeyAuthorizer>();

        services.AddSingleton<DnsblZones>();
        services.AddSingleton<DnsblResolver>();
        services.AddSingleton<ZoneAnswerCache>();
        services.AddHostedService(sp => sp.GetRequiredService<ZoneAnswerCache>());
        services.AddSingleton<ReputationService>();
        services.AddHostedService<DnsblStartupReport>();
        services.AddSingleton<HostedListStore>();
        services.AddSingleton<HostedListService>();
        services.AddSingleton<SpfEvaluator>();
        services.AddSingleton<SpfService>();
        services.AddSingleton<ReverseDnsService>();

        services.AddSingleton<GreylistStore>();
        services.AddSingleton<GreylistCounters>();
        services.AddSingleton<GreylistMemory>();
        services.AddSingleton<GreylistScreener>();
        services.AddSingleton<GreylistClients>();
        services.AddSingleton<GreylistPurge>();
        services.AddSingleton<GreylistService>();
        services.AddHostedService<GreylistStatsFlusher>();
        // After the flusher, so that it stops first: client counts still being written land before the last flush.
        services.AddHostedService(sp => sp.GetRequiredService<GreylistClients>());

        services.AddSingleton<StorageLeases>();
        services.AddSingleton<TimerRuns>();
        services.AddSingleton<ZoneStateStore>();
        services.AddSingleton<ZoneStates>();
        services.AddSingleton<ZoneStatistics>();
        services.AddSingleton<ZoneHealthService>();
        services.AddHostedService<ZoneHealthReporter>();
        services.AddSingleton<ReputationCacheReads>();
        services.AddSingleton<ReputationCacheRefresh>();
        services.AddHostedService<ReputationCacheReadFlusher>();
        services.AddSingleton<MonitorStore>();
        services.AddSingleton<MonitorAlerts>();
        services.AddSingleton<MonitorService>();

        services.AddSingleton<Diagnostics.SmtpBannerReader>();
        services.AddSingleton<Diagnostics.DiagnosticsService>();
        services.AddSingleton<ClientRateLimiter>();
        services.AddSingleton<PublicPageDocument>();

        AddNotifications(services);
        AddWhitelist(services);
        return builder;
    }

    // The e-mail outbox and its three transports; Development gets a From address of its own.
    private static void AddNotifications(IServiceCollection services)
    {
        AddValidatedOptions<EmailOptions, EmailOptionsValidator>(services, EmailOptions.SectionName)
            .PostConfigure<IHostEnvironment>((email, environment) =>
            {
                if (environment.IsDevelopment() && string.IsNullOrWhiteSpace(email.From))
                {
                    email.From = "blocklist@localhost";
                }
            });
        AddValidatedOptions<NotificationOptions, NotificationOptionsValidator>(services, NotificationOptions.SectionName);
        services.AddSingleton<EmailOutbox>();
        services.AddSingleton<EmailSender>();
        services.AddSingleton<PickupEmailTransport>();
        services.AddSingleton<SmtpEmailTransport>();
        services.AddSingleton<AcsEmailTransport>();
        services.AddSingleton<AcsTokenSource>();
        services.AddTransient<AcsAuthenticationHandler>();
        services.AddSingleton<IEmailTransport>(sp => sp.GetRequiredService<IOptions<EmailOptions>>().Value.Transport switch
        {
            EmailTransportKind.Smtp => sp.GetRequiredService<SmtpEmailTransport>(),
            EmailTransportKind.Acs => sp.GetRequiredService<AcsEmailTransport>(),
            _ => sp.GetRequiredService<PickupEmailTransport>(),
        });

        // Retries 408, 429 (after its Retry-After) and 5xx with a doubling pause; the authentication handler inside it
        // signs each attempt anew. POST is retried too: the send carries an Operation-Id, so ACS sees one operation.
        var acs = services.AddHttpClient(AcsEmailTransport.HttpClientName);
        acs.AddResilienceHandler(AcsEmailTransport.HttpClientName, (pipeline, context) =>
            {
                var email = context.ServiceProvider.GetRequiredService<IOptions<EmailOptions>>().Value;
                if (email.RetryAttempts > 1)
                {
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = email.RetryAttempts - 1,
                        Delay = email.RetryDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = false,
                        ShouldRetryAfterHeader = true,
                    });
                }
            });
        acs.AddHttpMessageHandler<AcsAuthenticationHandler>();
    }

    // Whitelist requests: the link secret (random in Development) and the page links are based on PublicPage__Url.
    private static void AddWhitelist(IServiceCollection services)
    {
        AddValidatedOptions<WhitelistOptions, WhitelistOptionsValidator>(services, WhitelistOptions.SectionName)
            .PostConfigure<IOptions<PublicPageOptions>, IHostEnvironment>((whitelist, page, environment) =>
            {
                whitelist.PageUrl = page.Value.Url is { Length: > 0 } url ? url : environment.IsDevelopment() ? "http://127.0.0.1:7071/" : null;
                if (environment.IsDevelopment() && string.IsNullOrEmpty(whitelist.LinkSecret))
                {
                    // Links made by this process only; a restart makes them invalid (say so in the README).
                    whitelist.LinkSecret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(WhitelistOptions.MinimumSecretBytes));
                }
            });
        services.AddSingleton<WhitelistRequestStore>();
        services.AddSingleton<WhitelistLinks>();
        services.AddSingleton<WhitelistService>();
        services.AddSingleton<WhitelistReview>();
        services.AddSingleton<WhitelistDecisions>();
    }

    private static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(IServiceCollection services, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        return services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
    }

    // AzureWebJobsStorage is either a connection string or a section of identity-based settings (Functions convention).
    private static void ReadStorageConnection(StorageOptions options, IConfiguration configuration)
    {
        var setting = configuration.GetSection(StorageOptions.ConnectionSettingName);
        if (!string.IsNullOrWhiteSpace(setting.Value))
        {
            options.ConnectionString = setting.Value;
            return;
        }

        var tableUri = setting["tableServiceUri"];
        var queueUri = setting["queueServiceUri"];
        if (tableUri is null && queueUri is null && setting["accountName"] is { Length: > 0 } account)
        {
            tableUri = $"https://{account}.table.core.windows.net";
            queueUri = $"https://{account}.queue.core.windows.net";
        }

        if (tableUri is null && queueUri is null)
        {
            options.ConnectionString = "UseDevelopmentStorage=true";
            return;
        }

        options.TableServiceUri = Uri.TryCreate(tableUri, UriKind.Absolute, out var table) ? table : null;
        options.QueueServiceUri = Uri.TryCreate(queueUri, UriKind.Absolute, out var queue) ? queue : null;
        options.Credential = setting["credential"];
        options.ClientId = setting["clientId"];
    }

    private static void AddStorage(IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var clientOptions = new TableClientOptions();
            ConfigureRetry(clientOptions.Retry, options);
            return options.ConnectionString is { } connection
                ? new TableServiceClient(connection, clientOptions)
                : new TableServiceClient(options.TableServiceUri!, Credential(options), clientOptions);
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            // Base64, as the Functions queue extension expects by default.
            var clientOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
            ConfigureRetry(clientOptions.Retry, options);
            return options.ConnectionString is { } connection
                ? new QueueServiceClient(connection, clientOptions)
                : new QueueServiceClient(options.QueueServiceUri!, Credential(options), clientOptions);
        });
        services.AddSingleton<StorageHealth>();
        services.AddSingleton<AzureTableStorage>();
        services.AddSingleton<AzureQueueStorage>();
        services.AddSingleton<SqliteDatabase>();
        services.AddSingleton<SqliteTableStorage>();
        services.AddSingleton<SqliteQueueStorage>();
        // Storage:Provider chooses; only the chosen provider's clients (or database file) are ever created.
        services.AddSingleton<ITableStorage>(sp => IsSqlite(sp) ? sp.GetRequiredService<SqliteTableStorage>() : sp.GetRequiredService<AzureTableStorage>());
        services.AddSingleton<IQueueStorage>(sp => IsSqlite(sp) ? sp.GetRequiredService<SqliteQueueStorage>() : sp.GetRequiredService<AzureQueueStorage>());
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage");
    }

    /// <summary>
    /// For the Functions app: refuses Storage:Provider=sqlite at start. Instances there share state through Azure
    /// Storage; a database file on one instance's disk would give each instance its own greylist and lists. Refuses
    /// Storage:NamePrefix too: the queue triggers name their queues without it, so prefixed queues would fill and
    /// never be read.
    /// </summary>
    public static IHostApplicationBuilder RequireAzureStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IValidateOptions<StorageOptions>>(new ValidateOptions<StorageOptions>(
            Options.DefaultName,
            options => options.Provider == StorageProvider.Azure,
            "Storage:Provider 'sqlite' cannot be used by the Functions app: its instances share state through Azure Table Storage and Queues. Remove the setting (the default is 'azure'); SQLite is for the self-host on one machine."));
        builder.Services.AddSingleton<IValidateOptions<StorageOptions>>(new ValidateOptions<StorageOptions>(
            Options.DefaultName,
            options => string.IsNullOrEmpty(options.NamePrefix),
            $"Storage:NamePrefix cannot be used by the Functions app: its queue triggers read the queues {EmailOutbox.QueueName}, {WhitelistService.ReviewQueue} and {WhitelistService.DecisionQueue} by these names, so prefixed queues would never be read. Remove the setting; give each deployment a storage account of its own instead."));
        return builder;
    }

    private static bool IsSqlite(IServiceProvider services) =>
        services.GetRequiredService<IOptions<StorageOptions>>().Value.Provider == StorageProvider.Sqlite;

    private static void ConfigureRetry(RetryOptions retry, StorageOptions options)
    {
        retry.MaxRetries = options.MaxRetries;
        retry.NetworkTimeout = options.Timeout;
        retry.Mode = RetryMode.Exponential;
        retry.Delay = TimeSpan.FromMilliseconds(200);
        retry.MaxDelay = TimeSpan.FromSeconds(2);
    }

    private static TokenCredential Credential(StorageOptions options) =>
        string.Equals(options.Credential, "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(options.ClientId is { Length: > 0 } id ? ManagedIdentityId.FromUserAssignedClientId(id) : ManagedIdentityId.SystemAssigned)
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = options.ClientId });

    private static LookupClient CreateDnsClient(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<DnsOptions>>().Value;
        var servers = EndpointParser.ParseValidated(options.Servers);
        var clientOptions = servers.Length > 0 ? new LookupClientOptions(servers) : new LookupClientOptions();
        clientOptions.Timeout = options.Timeout;
        clientOptions.Retries = options.Retries;
        clientOptions.UseCache = options.UseCache;
        // DNS errors (NXDOMAIN, SERVFAIL) are answers to interpret, not exceptions (STYLE §8).
        clientOptions.ThrowDnsErrors = false;
        clientOptions.UseTcpFallback = true;
        return new LookupClient(clientOptions);
    }
}
