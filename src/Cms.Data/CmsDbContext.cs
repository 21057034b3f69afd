using Cms.Data.Entities;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Cms.Data;

public class CmsDbContext : IdentityDbContext<CmsUser>, IDataProtectionKeyContext
{
    public CmsDbContext(DbContextOptions<CmsDbContext> options) : base(options)
    {
    }

    // For CmsReadOnlyDbContext: the same model, its own options (another connection).
    protected CmsDbContext(DbContextOptions options) : base(options)
    {
    }

    public const string MigrationsAssembly = "Cms.Migrations";

    public DbSet<Item> Items => Set<Item>();
    public DbSet<RelatedLink> RelatedLinks => Set<RelatedLink>();
    public DbSet<Topic> Topics => Set<Topic>();
    public DbSet<Category> Categories => Set<Category>();
    public DbSet<ItemTopic> ItemTopics => Set<ItemTopic>();
    public DbSet<SourceRevision> SourceRevisions => Set<SourceRevision>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<PublishJob> PublishJobs => Set<PublishJob>();
    public DbSet<Comment> Comments => Set<Comment>();
    public DbSet<CommentMention> CommentMentions => Set<CommentMention>();
    public DbSet<ItemAssignment> ItemAssignments => Set<ItemAssignment>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<DigestRefusal> DigestRefusals => Set<DigestRefusal>();
    public DbSet<PresenceEntry> Presence => Set<PresenceEntry>();
    public DbSet<ItemStateCount> ItemStateCounts => Set<ItemStateCount>();
    public DbSet<ItemStateCountDelta> ItemStateCountDeltas => Set<ItemStateCountDelta>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<UserSession> UserSessions => Set<UserSession>();
    public DbSet<SessionEnd> SessionEnds => Set<SessionEnd>();
    public DbSet<SignInThrottle> SignInThrottles => Set<SignInThrottle>();
    public DbSet<SavedView> SavedViews => Set<SavedView>();
    public DbSet<SavedViewChoice> SavedViewChoices => Set<SavedViewChoice>();
    public DbSet<UsedAuthenticatorCode> UsedAuthenticatorCodes => Set<UsedAuthenticatorCode>();
    public DbSet<StoryTermCount> StoryTermCounts => Set<StoryTermCount>();
    public DbSet<StoryWindowKey> StoryWindowKeys => Set<StoryWindowKey>();
    public DbSet<LinkCheck> LinkChecks => Set<LinkCheck>();
    public DbSet<LinkHost> LinkHosts => Set<LinkHost>();
    public DbSet<LinkUse> LinkUses => Set<LinkUse>();
    public DbSet<LinkDiscovery> LinkDiscoveries => Set<LinkDiscovery>();

    public const string StoryIdSequence = "story_ids";
    public DbSet<PublishedItem> PublishedItems => Set<PublishedItem>();
    public DbSet<DeliverySite> DeliverySites => Set<DeliverySite>();
    public DbSet<DeliveryToken> DeliveryTokens => Set<DeliveryToken>();
    public DbSet<DeliveryAccessFailure> DeliveryAccessFailures => Set<DeliveryAccessFailure>();
    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();
    public DbSet<WebhookMessage> WebhookMessages => Set<WebhookMessage>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    public static void Configure(DbContextOptionsBuilder builder, string connectionString) =>
        builder.UseNpgsql(connectionString, o => o.MigrationsAssembly(MigrationsAssembly))
            .UseSnakeCaseNamingConvention()
            // The queue's capped counts take the first N matches in any order, on purpose.
            .ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.RowLimitingOperationWithoutOrderByWarning));

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(CmsDbContext).Assembly);
        builder.HasSequence<long>(StoryIdSequence);
        builder.HasSequence<long>(Configurations.PublishedItemConfiguration.Sequence);
        // Trusted (PostgreSQL 13+): the database owner creates it in the migration, no superuser needed.
        builder.HasPostgresExtension("pg_trgm");
    }
}
