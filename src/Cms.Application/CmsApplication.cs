using Cms.Application.Assignment;
using Cms.Application.Auditing;
using Cms.Application.Comments;
using Cms.Application.Delivery;
using Cms.Application.Exporting;
using Cms.Application.Outbound;
using Cms.Application.Importing;
using Cms.Application.Items;
using Cms.Application.Links;
using Cms.Application.Live;
using Cms.Application.Notifications;
using Cms.Application.Publishing;
using Cms.Application.Queue;
using Cms.Application.ReadOnly;
using Cms.Application.Setup;
using Cms.Application.Stories;
using Cms.Application.Topics;
using Cms.Application.Users;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Core.Links;
using Cms.Core.Stories;
using Cms.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cms.Application;

// Registrations shared by the web app and the command line, so both see the same database, key
// ring, item reader and handlers.
public static class CmsApplication
{
    public static string ConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString("Cms") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "No database configured: set ConnectionStrings__Cms, or start through ./cms which creates a local cluster.");

    // The schema owner's connection, for migrations (DatabaseRoles); null when the app's own role
    // is the owner (one connection string for both).
    public static string? OwnerConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString("CmsOwner") is { Length: > 0 } cs ? cs : null;

    // The main context's statements are prepared once per pooled connection after their second use
    // (Npgsql's automatic preparation), so PostgreSQL neither parses nor, where it settles on a
    // generic plan, plans them again: the session lookup, the queue page's statement of lists and
    // its page of rows ran at 8 clients with 30-40% less PostgreSQL CPU per page (docs/benchmarks.md,
    // "Queue at a million items, 8 clients: prepared statements"). The server keeps planning a
    // statement per call while its parameters matter (plan_cache_mode auto: a generic plan is taken
    // only when it is estimated no dearer than the custom ones). A connection string that sets
    // Max Auto Prepare itself is left as it is (0 turns it off).
    public const int AutoPrepared = 64;

    public static string Prepared(string connectionString)
    {
        // NpgsqlConnectionStringBuilder.ContainsKey answers for every keyword it knows: ask the text.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Any(k => k.Replace(" ", "", StringComparison.Ordinal).Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase));
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!given)
        {
            builder.MaxAutoPrepare = AutoPrepared;
            builder.AutoPrepareMinUsages = 2;
        }
        return builder.ConnectionString;
    }

    public static IServiceCollection AddCmsApplication(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = ConnectionString(configuration);
        // Pooled: a page resolves two contexts (the session's and its own); building each one's
        // options and services per request cost more CPU than the queue page's SQL (docs/benchmarks.md).
        services.AddDbContextPool<CmsDbContext>(o => CmsDbContext.Configure(o, Prepared(connectionString)));
        // The read models that may read slightly stale data (delivery API, feeds, audit page) use
        // their own context: the standby when configured and fresh enough, else the primary.
        var readOnly = ReadOnlyOptions.From(configuration);
        services.AddSingleton(readOnly);
        services.AddSingleton(sp => new StandbyRouting(readOnly, connectionString, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<StandbyRouting>>()));
        services.AddDbContextPool<CmsReadOnlyDbContext>((sp, o) =>
        {
            var routing = sp.GetRequiredService<StandbyRouting>();
            CmsDbContext.Configure(o, routing.PrimaryReads);
            if (readOnly.Standby is not null)
            {
                o.AddInterceptors(new StandbyInterceptor(routing));
            }
        });
        services.AddDataProtection()
            .SetApplicationName("Cms")
            .PersistKeysToDbContext<CmsDbContext>();

        services.AddSingleton(new FrontMatterOptions
        {
            MaxBytes = configuration.GetValue("Import:MaxFileBytes", FrontMatterOptions.DefaultMaxBytes),
        });
        services.AddSingleton<IFrontMatterReader, YamlFrontMatterReader>();
        services.AddSingleton<IFrontMatterWriter, YamlFrontMatterWriter>();
        var limits = configuration.GetSection(ItemLimits.SectionName).Get<ItemLimits>() ?? new ItemLimits();
        limits.EnsureValid();
        services.AddSingleton(limits);
        services.AddSingleton<ItemParser>();
        var import = configuration.GetSection("Import").Get<ImportOptions>() ?? new ImportOptions();
        import.EnsureValid();
        services.AddSingleton(import);

        var stories = configuration.GetSection(StorySettings.SectionName).Get<StorySettings>() ?? new StorySettings();
        stories.EnsureValid();
        services.AddSingleton(stories);
        services.AddSingleton<StoryGrouping>();
        services.AddScoped<StoryList>();
        services.AddScoped<StoryView>();
        services.AddScoped<MergeItems>();
        services.AddScoped<ReplaceLinkUrl>();
        services.AddScoped<BrokenLinks>();
        services.AddScoped<SplitItem>();
        services.AddScoped<MoveItem>();
        var links = configuration.GetSection(LinkCheckSettings.SectionName).Get<LinkCheckSettings>() ?? new LinkCheckSettings();
        links.EnsureValid();
        services.AddSingleton(links);
        services.TryAddSingleton(TimeProvider.System);
        // Redirects are followed by the checker itself, hop by hop, each through the outbound guard.
        services.TryAddSingleton<ILinkFetcher>(sp => new HttpLinkFetcher(links, sp.GetRequiredService<OutboundOptions>()));
        services.AddScoped<LinkChecker>();
        services.AddScoped<LinkHealthView>();
        services.AddSingleton<LinkCheckLoop>();
        services.AddSingleton<ImportProfile>();
        services.AddScoped<ImportParser>();
        services.AddScoped<ImportWriter>();
        services.AddSingleton<RevisionComparer>();
        services.AddScoped<ItemImporter>();
        services.AddScoped<ItemExporter>();
        services.AddSingleton(new QueueCountOptions
        {
            CostBudget = configuration.GetValue("Queue:CountCostBudget", QueueCountOptions.DefaultCostBudget),
            ExactStateRows = configuration.GetValue("Queue:ExactStateRows", QueueCountOptions.DefaultExactStateRows),
        });
        services.AddScoped<QueueQuery>();
        services.AddScoped<BulkEdit>();
        services.AddScoped<SavedViews>();
        services.AddScoped<SaveItemEdits>();
        services.AddScoped<SourceRevisions>();
        services.AddScoped<StoredTextReread>();
        services.AddScoped<ItemTransitions>();
        services.AddScoped<SaveAndMove>();
        services.AddScoped<PublishSchedule>();
        services.AddScoped<DeliveryRecorder>();
        services.AddScoped<DeliverySites>();
        services.AddScoped<PublishedQuery>();
        services.AddScoped<WebhookEndpoints>();
        services.AddScoped<WebhookSender>();
        services.AddSingleton<WebhookLoop>();
        var outbound = OutboundOptions.From(configuration);
        services.AddSingleton(outbound);
        var webhooks = WebhookOptions.From(configuration);
        services.AddSingleton(webhooks);
        // One client for every webhook, its connections checked by the outbound guard (SSRF).
        services.AddSingleton(sp => new WebhookClient(new HttpClient(OutboundGuard.Handler(outbound)) { Timeout = Timeout.InfiniteTimeSpan }, webhooks, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => PublishingOptions.From(configuration,
            sp.GetService<Microsoft.Extensions.Hosting.IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory()));
        services.AddScoped<PublishWorker>();
        services.AddSingleton<PublishingLoop>();
        services.AddSingleton(sp => AuditOptions.From(configuration,
            sp.GetService<Microsoft.Extensions.Hosting.IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory()));
        services.AddScoped<AuditVerifier>();
        services.AddScoped<AuditSealer>();
        services.AddScoped<AuditAnchors>();
        services.AddSingleton<AuditSealingLoop>();
        services.AddScoped<AuditQuery>();
        services.AddSingleton(LiveOptions.From(configuration));
        services.AddSingleton<LiveHub>();
        services.AddScoped<Presence>();
        services.AddSingleton(CommentOptions.From(configuration));
        services.AddScoped<ItemComments>();
        services.AddScoped<CommentThreads>();
        services.AddScoped<ItemLiveState>();
        services.AddScoped<ItemAssignments>();
        services.AddScoped<Inbox>();
        services.AddSingleton(NotificationOptions.From(configuration));
        services.AddScoped<EmailDigest>();
        services.AddScoped<ItemPage>();
        services.AddScoped<TopicVocabulary>();
        services.AddScoped<TopicAdministration>();
        services.AddScoped<UserAdministration>();
        services.AddScoped<UserList>();
        services.AddScoped<UserSessions>();
        services.AddScoped<SignInRecords>();
        services.AddScoped<OwnAccount>();
        services.AddSingleton(SessionSettings.From(configuration));
        // The clock of the session timeouts (tests move it instead of waiting hours).
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<DatabaseSetup>();
        services.AddScoped<LinkIdentityBackfill>();
        return services;
    }

    public static void ConfigureIdentity(Microsoft.AspNetCore.Identity.IdentityOptions options)
    {
        // Length over composition (NIST SP 800-63B): 12 characters, no class rules.
        options.Password.RequiredLength = 12;
        options.Password.RequireDigit = false;
        options.Password.RequireLowercase = false;
        options.Password.RequireUppercase = false;
        options.Password.RequireNonAlphanumeric = false;
        options.Password.RequiredUniqueChars = 1;
        options.Lockout.AllowedForNewUsers = true;
        options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
        options.User.RequireUniqueEmail = true;
        options.SignIn.RequireConfirmedAccount = false;
        // Sign-in pages count password failures per client (SignInRecords) with these two numbers;
        // Identity itself counts wrong second-factor codes, which only the password's holder can try.
        options.Lockout.MaxFailedAccessAttempts = 5;
    }
}
