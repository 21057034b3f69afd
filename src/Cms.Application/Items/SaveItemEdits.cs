using Cms.Application.Auditing;
using Cms.Application.Topics;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Security;
using Cms.Core.Text;
using Cms.Data;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Items;

// An editor's save of one item: quality, category, topics, related-link decisions and a note, in
// one transaction with one item.edited event. Changing any of those on a Ready item returns it to
// New (the page says so before the save). Optimistic concurrency on the item's xmin: the
// version the editor loaded must still be current, or nothing is written.
public sealed class SaveItemEdits(CmsDbContext db, TopicVocabulary vocabulary)
{
    public const int MaxNoteLength = 1000;
    public const int MaxReasonLength = 500;
    public const string Saved = "Saved.";
    public const string NothingToSave = "Nothing to save.";
    public const string QualityEmptied = "The quality box is empty: type a score, or tick \"Clear the score\" to remove it.";

    public sealed record LinkChange(long Id, LinkDecision Decision, string? Reason);

    // ClearQuality: a null Quality removes a stored score only when the editor asked for it (the
    // item page's "Clear the score" box); an emptied box alone is refused, never a silent erase.
    public sealed record Command(
        long ItemId, uint Version, int? Quality, string? Category, IReadOnlyList<string> Topics, IReadOnlyList<LinkChange> Links, string? Note,
        bool ClearQuality = true);

    public static List<string> ParseTopics(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .DistinctBy(TopicNames.Normalize).ToList();

    public async Task<Outcome> HandleAsync(Actor actor, Command command, CancellationToken ct)
    {
        if (await CheckAsync(actor, command, ct) is { } refused)
        {
            return refused;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var edit = await ApplyAsync(actor, command, ct);
        if (edit.Outcome.Succeeded && edit.Changed)
        {
            await tx.CommitAsync(ct);
        }
        return edit.Outcome;
    }

    // The permission check and the validation that need no lock; null when the save may go ahead.
    internal async Task<Outcome?> CheckAsync(Actor actor, Command command, CancellationToken ct)
    {
        if (await Guard.RequireAsync(db, actor, Permissions.ReviewItems, "Editing items",
                new Attempt(AuditActions.ItemEdited, AuditTargets.Item, command.ItemId.ToString()), ct) is { } refused)
        {
            return refused;
        }
        return await ValidateAsync(command, await vocabulary.CategorySpellingAsync(command.Category, ct), ct) is { Count: > 0 } errors ? Outcome.Invalid(errors) : null;
    }

    // A category is compared and stored in the one form names take (UnicodeText.CleanName), the form
    // the importer stores, and in the list's spelling whatever its letter case (CategoryNames: a
    // posted "world" is stored as the list's "World", never as a twin); the item's own category is
    // compared by the same key, so a save that keeps it is no change whatever blanks, spelling or
    // case the stored value has.
    private static string? Category(string? name) => UnicodeText.CleanName(name ?? "") is { Length: > 0 } clean ? clean : null;

    private static bool SameCategory(string? stored, string? category) =>
        Category(stored) is { } own && category is not null ? CategoryNames.Key(own) == CategoryNames.Key(category) : Category(stored) == category;

    // What a save did: its outcome, whether anything was written, and in words what changed
    // ("quality 55 → 90", "topics", "2 related links"), for the message of a save combined with a move.
    internal sealed record Edit(Outcome Outcome, bool Changed, IReadOnlyList<string> Summary);

    // The save inside the caller's transaction (CheckAsync first): nothing is committed here.
    internal async Task<Edit> ApplyAsync(Actor actor, Command command, CancellationToken ct)
    {
        var category = await vocabulary.CategorySpellingAsync(command.Category, ct);
        var item = await db.Items.Include(i => i.RelatedLinks).Include(i => i.Topics).ThenInclude(t => t.Topic)
            .SingleOrDefaultAsync(i => i.Id == command.ItemId, ct);
        if (item is null)
        {
            return new(Outcome.NotFound(), false, []);
        }
        if (command.Quality is null && item.Quality is not null && !command.ClearQuality)
        {
            db.ChangeTracker.Clear();
            return new(Outcome.Invalid(nameof(Command.Quality), QualityEmptied), false, []);
        }
        var resolved = await vocabulary.ResolveAsync(actor, nameof(Command.Topics), command.Topics, ct);
        if (!resolved.Succeeded)
        {
            db.ChangeTracker.Clear();
            return new(resolved.Result, false, []);
        }

        var now = DateTimeOffset.UtcNow;
        var changes = new List<object>();
        var summary = new List<string>();
        if (item.Quality != command.Quality)
        {
            changes.Add(new { field = "quality", before = item.Quality, after = command.Quality });
            summary.Add($"quality {item.Quality?.ToString() ?? "none"} → {command.Quality?.ToString() ?? "none"}");
            item.Quality = command.Quality;
        }
        if (!SameCategory(item.Category, category))
        {
            changes.Add(new { field = "category", before = item.Category, after = category });
            summary.Add($"category {item.Category ?? "none"} → {category ?? "none"}");
            item.Category = category;
        }
        var before = item.Topics.OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToList();
        var after = resolved.Value!;
        if (!before.SequenceEqual(after.Select(t => t.Name)))
        {
            changes.Add(new { field = "topics", before, after = after.Select(t => t.Name).ToList() });
            summary.Add("topics " + (after.Count == 0 ? "none" : string.Join(", ", after.Select(t => t.Name))));
            item.Topics.Clear();
            item.Topics.AddRange(after.Select((topic, i) => new Data.Entities.ItemTopic { ItemId = item.Id, Topic = topic, Position = i }));
        }
        var decided = 0;
        foreach (var input in command.Links)
        {
            var link = item.RelatedLinks.SingleOrDefault(l => l.Id == input.Id);
            var reason = string.IsNullOrWhiteSpace(input.Reason) ? null : input.Reason.Trim();
            var decisionBefore = link?.Decision;
            if (link is not null && ItemChanges.Decide(link, input.Decision, reason, actor, now))
            {
                changes.Add(ItemChanges.LinkChange(link, decisionBefore.ToString(), input.Decision.ToString(), null, reason));
                decided++;
            }
        }
        if (decided > 0)
        {
            summary.Add(decided == 1 ? "1 related link" : $"{decided} related links");
        }
        var note = string.IsNullOrWhiteSpace(command.Note) ? null : command.Note.Trim();
        if (note is not null)
        {
            summary.Add("a note");
        }
        if (changes.Count > 0)
        {
            changes.AddRange(ItemChanges.ReturnToNewIfReady(item));
        }
        if (changes.Count == 0 && note is null)
        {
            db.ChangeTracker.Clear();
            return new(Outcome.Ok(NothingToSave), false, []);
        }

        // "Source changed" means a revision waits for a decision (accept or dismiss, at the top of
        // the page); a save leaves a pending one pending but clears a flag no revision backs.
        if (item.SourceChanged && !await db.SourceRevisions.AnyAsync(r => r.ItemId == item.Id && r.Status == RevisionStatus.Pending, ct))
        {
            item.SourceChanged = false;
        }
        // The version is what this editor saw; a newer row means someone saved first.
        db.Entry(item).Property(i => i.Version).OriginalValue = command.Version;
        // Touching the item row bumps its xmin even when only links or topics changed. A note alone
        // changes nothing that is published, so it does not make its writer the correction's author.
        ItemChanges.Stamp(item, actor, now, changesContent: changes.Count > 0);
        AuditLog.Add(db, actor, AuditActions.ItemEdited, AuditTargets.Item, item.Id.ToString(), new { changes, note });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return new(await ConflictAsync(command.ItemId, ct), false, []);
        }
        db.ChangeTracker.Clear();
        return new(Outcome.Ok(Saved), true, summary);
    }

    // Locks the item row until the caller's transaction ends and answers a conflict when it is newer
    // than the version the page showed (null: unchanged, or gone, which the move reports itself).
    internal async Task<Outcome?> ChangedSinceAsync(long itemId, uint version, CancellationToken ct)
    {
        await ItemLocks.HoldAsync(db, [itemId], ct);
        var current = await db.Items.Where(i => i.Id == itemId).Select(i => (uint?)i.Version).SingleOrDefaultAsync(ct);
        return current is { } stored && stored != version ? await ConflictAsync(itemId, ct) : null;
    }

    // Who saved in between, and when, so the editor knows whom to ask.
    private async Task<Outcome> ConflictAsync(long itemId, CancellationToken ct)
    {
        var last = await db.Items.AsNoTracking().Where(i => i.Id == itemId).Select(i => new { i.EditedBy, i.EditedAt }).SingleOrDefaultAsync(ct);
        return Outcome.Conflict(last?.EditedBy is { } by && last.EditedAt is { } at
            ? $"{by} saved this item at {at.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, after you opened it."
            : ConflictMessage);
    }

    public const string ConflictMessage = "Someone saved this item after you opened it.";

    private async Task<List<FieldError>> ValidateAsync(Command command, string? category, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        if (command.Quality is < 0 or > 100)
        {
            errors.Add(new(nameof(Command.Quality), "Quality must be a whole number from 0 to 100."));
        }
        foreach (var bad in command.Topics.Where(t => t.Length > ItemParser.MaxTopicLength))
        {
            errors.Add(new(nameof(Command.Topics), $"Topic '{UnicodeText.Clip(bad, 20)}' is longer than {ItemParser.MaxTopicLength} characters."));
        }
        if (command.Note?.Length > MaxNoteLength)
        {
            errors.Add(new(nameof(Command.Note), $"The note is longer than {MaxNoteLength} characters."));
        }
        if (command.Links.Any(l => l.Reason?.Length > MaxReasonLength))
        {
            errors.Add(new(nameof(Command.Links), $"A link's reason is longer than {MaxReasonLength} characters."));
        }
        if (category is not null && !await db.Categories.AnyAsync(c => c.Name == category, ct)
            && !SameCategory(await db.Items.Where(i => i.Id == command.ItemId).Select(i => i.Category).FirstOrDefaultAsync(ct), category))
        {
            errors.Add(new(nameof(Command.Category), "Choose a category from the list."));
        }
        return errors;
    }
}
