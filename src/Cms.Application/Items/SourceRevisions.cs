using Cms.Application.Auditing;
using Cms.Application.Exporting;
using Cms.Application.Stories;
using Cms.Application.Topics;
using Cms.Core.Auditing;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Core.Security;
using Cms.Core.Stories;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Cms.Core.Text;

namespace Cms.Application.Items;

// A pending source revision, decided by an editor: compared field by field with the item, then
// accepted (the chosen fields take the incoming values, and the incoming source becomes the
// item's source, so fields the CMS does not model travel with it) or dismissed. Either clears
// "source changed" unless another revision is still pending. Same permission and xmin check as a save.
public sealed class SourceRevisions(CmsDbContext db, ItemParser parser, TopicVocabulary vocabulary, IFrontMatterWriter writer, ItemExporter exporter, StorySettings stories)
{
    // Both sources together, in characters: beyond this a page view parses neither and shows the
    // changed field names stored on arrival.
    public const int MaxCompareChars = 128 * 1024;

    public const string Accepted = "Source revision accepted.";
    public const string AcceptedBackToNew = "Source revision accepted. The item is New again: what it would publish changed, so it needs review.";
    public const string AcceptedWhileReady = "source revision accepted while Ready";
    public const string Dismissed = "Source revision dismissed.";
    // The sites still have the published version; the Correct move is offered on the page.
    public const string AcceptedOnPublished = "Source revision accepted. Sites still have the published version: publish a correction to deliver the change.";
    public const string NotPending = "This source revision is no longer pending (someone decided it already).";

    // One compared field: the item's value now, the incoming one, and whether an editor changed
    // the item's value away from the source it was imported from (then Accept leaves it unticked).
    // Note: what else differs when the shown values alone do not say (a related link's excerpt).
    public sealed record Row(string Field, string Label, string? Current, string? Incoming, bool EditedHere, bool OnItem, string? Note = null);

    // ChangedFields/ChangedFieldCount: the top-level keys that differ, as stored on arrival.
    // TooLarge: sources this big are not parsed on a page view (the stored names are shown instead).
    public sealed record Comparison(long RevisionId, string FileName, DateTimeOffset ReceivedAt, IReadOnlyList<Row> Rows,
        IReadOnlyList<string> OtherFields, string? Problem, IReadOnlyList<string> ChangedFields, int ChangedFieldCount, bool TooLarge = false);

    // The newest pending revision of the item compared with it, or null when none is pending.
    public async Task<Comparison?> CompareAsync(long itemId, CancellationToken ct)
    {
        // Sizes first: a megabyte source is neither read nor parsed on a page view.
        var pending = await db.SourceRevisions.AsNoTracking().Where(r => r.ItemId == itemId && r.Status == RevisionStatus.Pending)
            .OrderByDescending(r => r.ReceivedAt)
            .Select(r => new { r.Id, r.FileName, r.ReceivedAt, r.ChangedFields, r.ChangedFieldCount, Size = r.SourceYaml.Length + db.Items.Where(i => i.Id == itemId).Select(i => i.SourceYaml.Length).First() })
            .FirstOrDefaultAsync(ct);
        if (pending is null)
        {
            return null;
        }
        if (pending.Size > MaxCompareChars)
        {
            return new Comparison(pending.Id, pending.FileName, pending.ReceivedAt, [], [], null, pending.ChangedFields ?? [], pending.ChangedFieldCount, TooLarge: true);
        }
        var revision = await db.SourceRevisions.AsNoTracking().SingleAsync(r => r.Id == pending.Id, ct);
        var item = await Load(itemId).AsNoTracking().SingleAsync(ct);
        return await CompareAsync(item, revision, ct);
    }

    private IQueryable<Item> Load(long itemId) =>
        db.Items.Include(i => i.RelatedLinks).Include(i => i.Topics).ThenInclude(t => t.Topic).Where(i => i.Id == itemId);

    private async Task<Comparison> CompareAsync(Item item, SourceRevision revision, CancellationToken ct)
    {
        var other = (revision.ChangedFields ?? []).Where(f => !RevisionFields.Names.Contains(f)).ToList();
        if (Parse(item.SourceYaml) is not { } source || Parse(revision.SourceYaml) is not { } incoming)
        {
            return new Comparison(revision.Id, revision.FileName, revision.ReceivedAt, [], other,
                "A source no longer reads as an item file; only Dismiss is possible.", revision.ChangedFields ?? [], revision.ChangedFieldCount);
        }
        var spelled = await TopicSpellingsAsync(source.Topics.Concat(incoming.Topics), ct);
        string TopicName(string name) => spelled.GetValueOrDefault(TopicNames.Normalize(name)) ?? UnicodeText.CleanName(name);
        var original = RevisionFields.Of(source, TopicName);
        var now = RevisionFields.Of(item, source);
        var next = RevisionFields.Of(incoming, TopicName);
        // A field differs when its shown value does, or when its source value does in a way the shown
        // value leaves out: every difference is a row, so nothing is taken or kept unseen.
        var rows = RevisionFields.All
            .Select(f => f.Show(now) != f.Show(next)
                ? new Row(f.Name, f.Label, f.Show(now), f.Show(next), f.Show(now) != f.Show(original), f.OnItem)
                : RevisionFields.DetailNote(f.Name, source.Document.Root[f.Name], incoming.Document.Root[f.Name]) is { } note
                    ? new Row(f.Name, f.Label, f.Show(now), f.Show(next), f.Show(now) != f.Show(original), f.OnItem, note)
                    : null)
            .OfType<Row>()
            // A category that differs only in letter case is the same category (CategoryNames):
            // accepting it would store the list's spelling, the one the item has. No change.
            .Where(r => !(r.Field == "category" && r.Current is { } mine && r.Incoming is { } theirs && CategoryNames.Key(mine) == CategoryNames.Key(theirs)))
            .ToList();
        return new Comparison(revision.Id, revision.FileName, revision.ReceivedAt, rows, other, null, revision.ChangedFields ?? [], revision.ChangedFieldCount);
    }

    // The vocabulary's spelling of each named topic that exists (by its normalized name), as the
    // import links a file's "ai" to the topic "AI".
    private async Task<Dictionary<string, string>> TopicSpellingsAsync(IEnumerable<string> names, CancellationToken ct)
    {
        var normalized = names.Select(TopicNames.Normalize).Distinct().ToList();
        return normalized.Count == 0
            ? []
            : await db.Topics.AsNoTracking().Where(t => normalized.Contains(t.NormalizedName)).ToDictionaryAsync(t => t.NormalizedName, t => t.Name, StringComparer.Ordinal, ct);
    }

    // The opaque `secured` value of a source, shown in full on the item page (null when absent).
    public string? SecuredOf(string yaml) => Parse(yaml)?.Secured;

    private ParsedItem? Parse(string yaml)
    {
        try
        {
            return parser.ParseText("source", "---\n" + yaml + "---\n");
        }
        catch (FrontMatterException)
        {
            return null;
        }
    }

    // fields: the fields to take from the incoming source; null takes every field that differs.
    public async Task<Outcome> AcceptAsync(Actor actor, long itemId, long revisionId, uint version, IReadOnlyCollection<string>? fields, CancellationToken ct) =>
        await DecideAsync(actor, itemId, revisionId, version, accept: true, fields, ct);

    public async Task<Outcome> DismissAsync(Actor actor, long itemId, long revisionId, uint version, CancellationToken ct) =>
        await DecideAsync(actor, itemId, revisionId, version, accept: false, null, ct);

    private async Task<Outcome> DecideAsync(Actor actor, long itemId, long revisionId, uint version, bool accept, IReadOnlyCollection<string>? fields, CancellationToken ct)
    {
        var attempt = new Attempt(accept ? AuditActions.ItemRevisionAccepted : AuditActions.ItemRevisionDismissed, AuditTargets.Item, itemId.ToString());
        if (await Guard.RequireAsync(db, actor, Permissions.ReviewItems, "Deciding source revisions", attempt, ct) is { } refused)
        {
            return refused;
        }
        if (fields?.FirstOrDefault(f => !RevisionFields.All.Any(k => k.Name == f)) is { } unknown)
        {
            return Outcome.Invalid("Fields", $"'{UnicodeText.Clip(unknown, 40)}' is not a field of an item.");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var item = await Load(itemId).SingleOrDefaultAsync(ct);
        var revision = await db.SourceRevisions.SingleOrDefaultAsync(r => r.Id == revisionId && r.ItemId == itemId, ct);
        if (item is null || revision is null)
        {
            return Outcome.NotFound();
        }
        if (revision.Status != RevisionStatus.Pending)
        {
            db.ChangeTracker.Clear();
            return Outcome.Conflict(NotPending);
        }
        var now = DateTimeOffset.UtcNow;
        var data = new Dictionary<string, object?> { ["revision"] = revision.Id, ["file"] = revision.FileName };
        var backToNew = false;
        // Whether what the item would publish changed: on a Published item that change waits for a
        // correction, which four-eyes then keeps this actor from publishing (ItemChanges.Stamp).
        var contentChanged = false;
        if (accept)
        {
            var comparison = await CompareAsync(item, revision, ct);
            if (comparison.Problem is { } problem || Parse(revision.SourceYaml) is not { } incoming)
            {
                db.ChangeTracker.Clear();
                return Outcome.Invalid("Fields", comparison.Problem ?? "The incoming source does not read as an item file.");
            }
            var chosen = comparison.Rows.Where(r => r.OnItem && (fields is null || fields.Contains(r.Field))).ToList();
            var taken = chosen.Select(r => r.Field).ToHashSet(StringComparer.Ordinal);
            var current = Parse(item.SourceYaml)!;
            var merged = RevisionFields.Merge(current.Document.Root, incoming.Document.Root, taken);
            // Taking every field that differs leaves the incoming file as received.
            var mergedYaml = SourceNodes.Canonical(merged) == SourceNodes.Canonical(incoming.Document.Root)
                ? revision.SourceYaml
                : Body(writer.Write(merged));
            var outputBefore = Render(item);
            var keyed = StoryKeyUpkeep.Inputs.Of(item);
            var changes = new List<object>();
            foreach (var row in chosen)
            {
                if (row.Field == "category")
                {
                    // Under the import's rule (the list's spelling, or a name new to the list added
                    // to it), and audited as stored.
                    var category = await vocabulary.CategoryForItemAsync(actor, "Fields", incoming.Category, ct);
                    if (!category.Succeeded)
                    {
                        db.ChangeTracker.Clear();
                        return category.Result;
                    }
                    item.Category = category.Value;
                    changes.Add(new { field = row.Field, before = row.Current, after = item.Category });
                    continue;
                }
                changes.Add(new { field = row.Field, before = row.Current, after = row.Incoming });
                if (row.Field == "topics")
                {
                    var resolved = await vocabulary.ResolveAsync(actor, "Fields", incoming.Topics, ct);
                    if (!resolved.Succeeded)
                    {
                        db.ChangeTracker.Clear();
                        return resolved.Result;
                    }
                    item.Topics.Clear();
                    item.Topics.AddRange(resolved.Value!.Select((topic, i) => new ItemTopic { ItemId = item.Id, Topic = topic, Position = i }));
                }
                else if (row.Field == "related")
                {
                    changes.AddRange(RevisionFields.ReplaceLinks(item, incoming, current));
                }
                else
                {
                    RevisionFields.Apply(item, row.Field, incoming);
                }
            }
            await StoryKeyUpkeep.RekeyAsync((NpgsqlConnection)db.Database.GetDbConnection(), stories, item, keyed, ct);
            item.SourceYaml = mergedYaml;
            // The received file's hash: importing that file again finds it already decided.
            item.SourceHash = revision.SourceHash;
            item.FileName = revision.FileName;
            // A Ready item stays Ready only when nothing was taken and the file it would publish is
            // the same as before (then the change is provably not in the output); otherwise what was
            // reviewed is no longer what would be published.
            contentChanged = chosen.Count > 0 || Render(item) != outputBefore;
            if (ItemChanges.EditReturnsToNew(item.State) && contentChanged)
            {
                changes.AddRange(ItemChanges.ReturnToNewIfReady(item, AcceptedWhileReady));
                backToNew = true;
            }
            data["accepted"] = chosen.Select(r => r.Field).ToList();
            data["kept"] = comparison.Rows.Where(r => r.OnItem).Select(r => r.Field).Except(taken).ToList();
            data["changes"] = changes;
        }
        revision.Status = accept ? RevisionStatus.Applied : RevisionStatus.Dismissed;
        item.SourceChanged = await db.SourceRevisions.AnyAsync(r => r.ItemId == itemId && r.Id != revisionId && r.Status == RevisionStatus.Pending, ct);

        db.Entry(item).Property(i => i.Version).OriginalValue = version;
        ItemChanges.Stamp(item, actor, now, changesContent: contentChanged);
        AuditLog.Add(db, actor, accept ? AuditActions.ItemRevisionAccepted : AuditActions.ItemRevisionDismissed, AuditTargets.Item, item.Id.ToString(), data);
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return Outcome.Conflict("Someone saved this item after you opened it; look at the comparison again.");
        }
        return Outcome.Ok(!accept ? Dismissed : backToNew ? AcceptedBackToNew : item.State == WorkflowState.Published ? AcceptedOnPublished : Accepted);
    }

    // What the item would be written out as now (published or not, as its state says).
    private string Render(Item item) => exporter.Render(
        new ItemExporter.Row(item.Id, item.FileName, item.SourceYaml, item.State, item.EditedAt, item.Quality, item.Category),
        item.Topics.OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToList(),
        item.RelatedLinks.Where(l => l.Decision == LinkDecision.Approved && l.Identity is not null).Select(l => l.Identity!).ToHashSet(StringComparer.Ordinal),
        ItemExporter.Added(item.RelatedLinks));

    // The writer's whole file without its "---" lines, as sources are stored.
    private static string Body(string file) => file["---\n".Length..^"---\n".Length];
}
