using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Security;
using Cms.Data;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Topics;

// The managed vocabulary. Items reference topics by id, so a rename reaches every item at once;
// a merge moves the items of one topic to another and removes the first.
public sealed class TopicAdministration(CmsDbContext db, TopicVocabulary vocabulary)
{
    public sealed record Row(int Id, string Name, bool FromImport, int Items);

    // The topics page: every topic with how many items carry it.
    public async Task<IReadOnlyList<Row>> ListAsync(CancellationToken ct) =>
        await db.Topics.AsNoTracking().OrderBy(t => t.Name)
            .Select(t => new Row(t.Id, t.Name, t.FromImport, db.ItemTopics.Count(it => it.TopicId == t.Id)))
            .ToListAsync(ct);

    public async Task<Outcome> CreateAsync(Actor actor, string name, CancellationToken ct)
    {
        if (await RefuseAsync(actor, AuditActions.TopicCreated, null, ct) is { } refused)
        {
            return refused;
        }
        if (ValidateName(name) is { } invalid)
        {
            return Outcome.Invalid("Name", invalid);
        }
        TopicNames.TryClean(name, out var clean, out _);
        name = clean!;
        if (await db.Topics.AnyAsync(t => t.NormalizedName == TopicNames.Normalize(name), ct))
        {
            return Outcome.Invalid("Name", $"The topic '{name}' already exists.");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await vocabulary.CreateAsync(actor, name, fromImport: false, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome.Ok($"Created topic '{name}'.");
    }

    public async Task<Outcome> RenameAsync(Actor actor, int id, string name, CancellationToken ct)
    {
        if (await RefuseAsync(actor, AuditActions.TopicRenamed, id, ct) is { } refused)
        {
            return refused;
        }
        if (ValidateName(name) is { } invalid)
        {
            return Outcome.Invalid("Name", invalid);
        }
        TopicNames.TryClean(name, out var clean, out _);
        name = clean!;
        var topic = await db.Topics.FindAsync([id], ct);
        if (topic is null)
        {
            return Outcome.Invalid("Id", "That topic no longer exists.");
        }
        if (await db.Topics.AnyAsync(t => t.NormalizedName == TopicNames.Normalize(name) && t.Id != topic.Id, ct))
        {
            return Outcome.Invalid("Name", $"'{name}' already exists; merge the two topics instead.");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var before = topic.Name;
        topic.Name = name;
        topic.NormalizedName = TopicNames.Normalize(name);
        var affected = await TouchItemsAsync(topic.Id, ct);
        AuditLog.Add(db, actor, AuditActions.TopicRenamed, AuditTargets.Topic, topic.Id.ToString(), new { before, after = name, items = affected });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome.Ok($"Renamed '{before}' to '{name}' on {affected} items.");
    }

    public async Task<Outcome> MergeAsync(Actor actor, int fromId, int intoId, CancellationToken ct)
    {
        if (await RefuseAsync(actor, AuditActions.TopicMerged, fromId, ct) is { } refused)
        {
            return refused;
        }
        var from = await db.Topics.FindAsync([fromId], ct);
        var into = await db.Topics.FindAsync([intoId], ct);
        if (from is null || into is null || from.Id == into.Id)
        {
            return Outcome.Invalid("From", "Choose two different topics.");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var affected = await TouchItemsAsync(from.Id, ct);
        // Items that had both keep one link; the others move to the surviving topic, keeping position.
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO item_topics (item_id, topic_id, position) SELECT item_id, {into.Id}, position FROM item_topics WHERE topic_id = {from.Id} ON CONFLICT DO NOTHING", ct);
        await db.ItemTopics.Where(t => t.TopicId == from.Id).ExecuteDeleteAsync(ct);
        db.Topics.Remove(from);
        AuditLog.Add(db, actor, AuditActions.TopicMerged, AuditTargets.Topic, into.Id.ToString(), new { from = from.Name, into = into.Name, items = affected });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome.Ok($"Merged '{from.Name}' into '{into.Name}' on {affected} items.");
    }

    // The same rule as for topics named on the item page and in imported files.
    public static string? ValidateName(string name) =>
        TopicNames.TryClean(name, out _, out var problem) ? null : $"The name {problem}.";

    private Task<Outcome?> RefuseAsync(Actor actor, string attempted, int? id, CancellationToken ct) =>
        Guard.RequireAsync(db, actor, Permissions.ManageTopics, "Managing topics", new Attempt(attempted, AuditTargets.Topic, id?.ToString()), ct);

    // The items' rows change too, so an editor holding one of them open gets a conflict instead of
    // saving the old topic list over the new one.
    private Task<int> TouchItemsAsync(int topicId, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        return db.Items.Where(i => i.Topics.Any(t => t.TopicId == topicId))
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.UpdatedAt, now), ct);
    }
}
