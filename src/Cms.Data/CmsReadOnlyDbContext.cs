using Microsoft.EntityFrameworkCore;

namespace Cms.Data;

// The context of the read models that may read slightly stale data (the delivery API, the feeds,
// the audit page): connected to the streaming standby when one is configured and fresh enough,
// otherwise to the primary (Cms.Application/ReadOnly). It never writes: SaveChanges throws, and its
// sessions are read-only transactions on whichever server they reach, so a write that slips into a
// read model fails on the primary too instead of working only until a standby is configured.
public sealed class CmsReadOnlyDbContext(DbContextOptions<CmsReadOnlyDbContext> options) : CmsDbContext(options)
{
    // Whether the last connection opened went to the standby (set as it opens).
    public bool OnStandby { get; set; }

    public override int SaveChanges(bool acceptAllChangesOnSuccess) => throw ReadOnly();

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default) => throw ReadOnly();

    private static InvalidOperationException ReadOnly() =>
        new("CmsReadOnlyDbContext reads the standby: write through CmsDbContext (the primary).");
}
