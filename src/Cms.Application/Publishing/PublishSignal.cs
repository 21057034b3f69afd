using Cms.Data;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Publishing;

// Wakes the publishing workers of every instance: NOTIFY inside the transaction is delivered at
// commit, so a worker never wakes for a job it cannot see yet.
public static class PublishSignal
{
    public const string Channel = "cms_publish";

    public static Task NotifyAsync(CmsDbContext db, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync($"SELECT pg_notify('{Channel}', '')", ct);
}
