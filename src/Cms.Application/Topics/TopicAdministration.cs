using Cms.Application.Auditing;
using Cms.Application.Items;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Security;
using Cms.Data;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Topics;

// The managed vocabulary. Items reference topics by id, so a rename reaches every item at once;
// a merge moves the items of one topic to another and removes the first. Either changes the topics
// a Ready item would publish, so such items go back to New (each with its own audit event), as an
// edit of their topics would send them: what is published is what was reviewed.
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

    // The names an import report asked for that are still not topics (cleaned, in the given order):
    // what the "create these topics" form offers. Names that are not valid topic names are left out.
    public async Task<IReadOnlyList<string>> StillMissingAsync(IEnumerable<string?> names, CancellationToken ct)
    {
        // From a query string: an empty value binds as null.
        var clean = names.OfType<string>().Take(MaxCreatedAtOnce).Select(n => TopicNames.TryClean(n, out var c, out _) ? c : null).OfType<string>()
            .DistinctBy(TopicNames.Normalize).ToList();
        var unknown = await vocabulary.UnknownTopicsAsync(clean, ct);
        return clean.Where(n => unknown.Contains(TopicNames.Normalize(n))).ToList();
    }

    // At most this many names in one "create these topics" (an import report names at most 100).
    public const int MaxCreatedAtOnce = 100;

    // "Create these topics" from an import report: the topics refused files were waiting for, in
    // one transaction, each audited; names that exist by now are skipped, so a second click or a
    // colleague's quicker one is harmless. Then the refused files can be uploaded again.
    public async Task<Outcome> CreateManyAsync(Actor actor, IReadOnlyList<string> names, CancellationToken ct)
    {
        if (await RefuseAsync(actor, AuditActions.TopicCreated, null, ct) is { } refused)
        {
            return refused;
        }
        var wanted = names.Where(n => !string.IsNullOrWhiteSpace(n)).ToList();
        if (wanted.Count is 0 or > MaxCreatedAtOnce)
        {
            return Outcome.Invalid("Names", $"Choose 1 to {MaxCreatedAtOnce} topics to create.");
        }
        var errors = wanted.Select(n => ValidateName(n) is { } invalid ? new FieldError("Names", $"'{TopicVocabulary.Shorten(n)}': {invalid}") : null).OfType<FieldError>().ToList();
        if (errors.Count > 0)
        {
            return Outcome.Invalid(errors);
        }
        // One of each, in the form's order, under the name an import would give it.
        var clean = wanted.Select(n => { TopicNames.TryClean(n, out var c, out _); return c!; })
            .DistinctBy(TopicNames.Normalize).ToList();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var unknown = await vocabulary.UnknownTopicsAsync(clean, ct);
        var created = new List<string>();
        try
        {
            foreach (var name in clean.Where(n => unknown.Contains(TopicNames.Normalize(n))))
            {
                await vocabulary.CreateAsync(actor, name, fromImport: false, ct);
                created.Add(name);
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            db.ChangeTracker.Clear();
            return Outcome.Invalid("Names", "Someone created one of these topics at the same moment; send the form again to create the rest.");
        }
        var skipped = clean.Count - created.Count;
        return Outcome.Ok((created.Count switch
        {
            0 => "Every one of these topics exists already.",
            1 => $"Created topic '{created[0]}'.",
            _ => $"Created {created.Count} topics: {string.Join(", ", created.Select(c => $"'{c}'"))}.",
        }) + (skipped > 0 && created.Count > 0 ? $" {skipped} existed already." : "") + " Files refused for these topics can be uploaded again now.");
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
        if (before == name)
        {
            return Outcome.Ok($"'{name}' already has that name; nothing changed.");
        }
        var sentBack = await SendReadyItemsBackAsync(actor, topic.Id,
            topics => topics.Select(t => t.Id == topic.Id ? name : t.Name).ToList(), AuditActions.TopicRenamed, ct);
        topic.Name = name;
        var affected = await TouchItemsAsync(topic.Id, ct);
        AuditLog.Add(db, actor, AuditActions.TopicRenamed, AuditTargets.Topic, topic.Id.ToString(), new { before, after = name, items = affected, sentBackToNew = sentBack });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome.Ok($"Renamed '{before}' to '{name}' on {affected} items.{SentBack(sentBack)}");
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
        var sentBack = await SendReadyItemsBackAsync(actor, from.Id,
            topics => topics.Select(t => t.Id == from.Id ? (into.Id, into.Name) : t).DistinctBy(t => t.Id).Select(t => t.Name).ToList(), AuditActions.TopicMerged, ct);
        var affected = await TouchItemsAsync(from.Id, ct);
        // Items that had both keep one link; the others move to the surviving topic, keeping position.
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO item_topics (item_id, topic_id, position) SELECT item_id, {into.Id}, position FROM item_topics WHERE topic_id = {from.Id} ON CONFLICT DO NOTHING", ct);
        await db.ItemTopics.Where(t => t.TopicId == from.Id).ExecuteDeleteAsync(ct);
        db.Topics.Remove(from);
        AuditLog.Add(db, actor, AuditActions.TopicMerged, AuditTargets.Topic, into.Id.ToString(), new { from = from.Name, into = into.Name, items = affected, sentBackToNew = sentBack });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome.Ok($"Merged '{from.Name}' into '{into.Name}' on {affected} items.{SentBack(sentBack)}");
    }

    // The same rule as for topics named on the item page and in imported files.
    public static string? ValidateName(string name) =>
        TopicNames.TryClean(name, out _, out var problem) ? null : $"The name {problem}.";

    private Task<Outcome?> RefuseAsync(Actor actor, string attempted, int? id, CancellationToken ct) =>
        Guard.RequireAsync(db, actor, Permissions.ManageTopics, "Managing topics", new Attempt(attempted, AuditTargets.Topic, id?.ToString()), ct);

    public const string TopicChangedWhileReady = "topic renamed or merged while Ready";

    private static string SentBack(int count) => count switch
    {
        0 => "",
        1 => " 1 Ready item went back to New for review.",
        _ => $" {count} Ready items went back to New for review.",
    };

    // Ready items carrying the topic go back to New (their schedules dropped), each with an
    // item.edited event saying how its topics change and why. Saved before TouchItemsAsync moves
    // their xmin. Returns how many.
    private async Task<int> SendReadyItemsBackAsync(Actor actor, int topicId, Func<List<(int Id, string Name)>, List<string>> after, string via, CancellationToken ct)
    {
        // The items carrying the topic are locked (id order, as moves lock theirs) before their state
        // is read: an item marked Ready meanwhile is either seen Ready here or marked after this commits.
        await ItemLocks.HoldCarryingTopicAsync(db, topicId, ct);
        var items = await db.Items.Where(i => i.State == WorkflowState.Ready && i.Topics.Any(t => t.TopicId == topicId)).ToListAsync(ct);
        var ids = items.Select(i => i.Id).ToList();
        // Read apart from the items, so the topic links the rename or merge then rewrites in SQL are not tracked.
        var topics = (await db.ItemTopics.AsNoTracking().Where(t => ids.Contains(t.ItemId)).OrderBy(t => t.Position)
                .Select(t => new { t.ItemId, t.TopicId, t.Topic!.Name }).ToListAsync(ct))
            .ToLookup(t => t.ItemId, t => (t.TopicId, t.Name));
        foreach (var item in items)
        {
            var list = topics[item.Id].ToList();
            var changes = new List<object> { new { field = "topics", before = list.Select(t => t.Name).ToList(), after = after(list) } };
            changes.AddRange(ItemChanges.ReturnToNewIfReady(item, TopicChangedWhileReady));
            AuditLog.Add(db, actor, AuditActions.ItemEdited, AuditTargets.Item, item.Id.ToString(), new { changes, via });
        }
        await db.SaveChangesAsync(ct);
        items.ForEach(i => db.Entry(i).State = EntityState.Detached);
        return items.Count;
    }

    // The items' rows change too, so an editor holding one of them open gets a conflict instead of
    // saving the old topic list over the new one.
    private Task<int> TouchItemsAsync(int topicId, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        return db.Items.Where(i => i.Topics.Any(t => t.TopicId == topicId))
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.UpdatedAt, now), ct);
    }
}
