using System.Text.Json;
using Cms.Application.Auditing;
using Cms.Application.Importing;
using Cms.Application.Stories;
using Cms.Core.Auditing;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Core.Stories;
using Cms.Core.Talk;
using Cms.Core.Text;
using Cms.Data;
using Cms.Data.Configurations;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cms.Application.Items;

// `./cms items reread-text`: the text an item shows (title, excerpt, type, provider, web URL,
// images and its source-listed related links' title, excerpt, provider, URL and picture) is
// computed once, at import, by the rules of that day, while the published file applies today's
// rules to the source (ItemExport). Items stored before a rule changed (the joiner rule, the
// excerpt's decoded-text cleaning, percent-encoded URLs) would show one text and publish another
// (REVIEW7 #8). This re-reads each item's stored source with today's parser and writes the fields
// that differ, one item per transaction with its audit event (a system change, the fields before
// and after), re-keying its story search when its title or excerpt changed. Only source-derived
// fields: an editor's work (quality, category, topics, link decisions, state) is not touched, and
// the file an item would publish does not change, so a Ready item stays Ready. Saved views named
// before the name rule are renamed likewise. Run it once after an upgrade that changes a text rule;
// it is idempotent.
public sealed class StoredTextReread(CmsDbContext db, ItemParser parser, StorySettings stories)
{
    public static readonly Actor Actor = Actor.System("text-reread");

    private const int Batch = 500;

    private const int CommentBatch = 1_000;

    // An item whose stored source today's rules refuse (a category with a character the name rule
    // now refuses, say): left as it is, named with the reader's field and reason, so someone can fix
    // it (a corrected file imported, or the item edited) instead of the run stopping there.
    public sealed record Left(long ItemId, string FileName, int? Line, string Field, string Reason)
    {
        // The stored file name with its control characters written as \uXXXX: a line feed in it
        // would otherwise print a line of its own, forging the summary (REVIEW10).
        public override string ToString() =>
            $"item {ItemId} ({Printable(FileName)}{(Line is { } line ? $", line {line}" : "")}): {(Field.Length > 0 ? Field + ": " : "")}{Reason}";

        private static string Printable(string text) =>
            UnicodeText.FindControlCharacter(text, allowNewlines: false) < 0 ? text
            : string.Concat(text.Select(c => UnicodeText.IsControl(c, allowNewlines: false) ? $"\\u{(int)c:X4}" : c.ToString()));
    }

    // The items left that the summary names (all are counted; a run over a million items keeps no
    // more than this in memory).
    public const int MaxListed = 100;

    public sealed record Result(int Read, int Changed, int Unreadable, int ViewsRenamed = 0, int CommentsCleaned = 0)
    {
        public IReadOnlyList<Left> LeftItems { get; init; } = [];
    }

    public async Task<Outcome<Result>> RunAsync(CancellationToken ct)
    {
        var (read, changed, unreadable) = (0, 0, 0);
        var left = new List<Left>();
        long after = 0;
        while (true)
        {
            // A batch read without tracking; only an item whose stored text differs from today's
            // reading is loaded again and written, in its own transaction.
            var batch = await db.Items.AsNoTracking().AsSplitQuery().Include(i => i.RelatedLinks).Where(i => i.Id > after).OrderBy(i => i.Id).Take(Batch).ToListAsync(ct);
            if (batch.Count == 0)
            {
                break;
            }
            foreach (var item in batch)
            {
                read++;
                var (parsed, problem) = Read(item);
                if (parsed is null)
                {
                    unreadable++;
                    if (left.Count < MaxListed)
                    {
                        left.Add(new Left(item.Id, item.FileName, problem!.Line, problem.Field, problem.Reason));
                    }
                }
                else if (Changes(item, parsed).Count > 0)
                {
                    var (done, tooLong) = await OneAsync(item.Id, ct);
                    if (done == true)
                    {
                        changed++;
                    }
                    else if (tooLong is not null)
                    {
                        // NFC lengthened a field past its column: that row is left and listed, the run goes on.
                        unreadable++;
                        if (left.Count < MaxListed)
                        {
                            left.Add(new Left(item.Id, item.FileName, null, "", tooLong));
                        }
                    }
                }
            }
            after = batch[^1].Id;
        }
        var viewsLeft = new List<long>();
        var views = await RenameViewsAsync(viewsLeft, ct);
        var comments = await CleanCommentsAsync(ct);
        return Outcome<Result>.Ok(new Result(read, changed, unreadable, views, comments) { LeftItems = left },
            $"{changed} of {read} items re-read under the current text rules" + (unreadable > 0 ? $"; {unreadable} left as they are, their stored source no longer reads as an item file" : "")
            + $"; {views} saved views renamed; {comments} comments cleaned."
            + string.Concat(left.Select(l => "\n  left: " + l))
            + (unreadable > left.Count ? $"\n  and {unreadable - left.Count} more left" : "")
            + string.Concat(viewsLeft.Take(MaxListed).Select(id => $"\n  left: saved view {id}: its name as the rule keeps it is longer than {SavedViewConfiguration.MaxNameLength} characters")));
    }

    // Saved views named before today's name rule (SavedViews.SaveAsync cleans blanks and refuses
    // what NameProblem refuses, as a view shared with everyone is listed for everyone): the name as
    // that rule keeps it (UnicodeText.KeptName, so a second run changes nothing), and, if the owner
    // already has a view of that name or it shows nothing, the view's number added.
    private async Task<int> RenameViewsAsync(List<long> tooLong, CancellationToken ct)
    {
        var renamed = 0;
        var candidates = await db.SavedViews.AsNoTracking().Select(v => new { v.Id, v.OwnerId, v.Name }).ToListAsync(ct);
        foreach (var candidate in candidates.Where(v => Unfit(v.Name)))
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var view = await db.SavedViews.SingleOrDefaultAsync(v => v.Id == candidate.Id, ct);
            if (view is null || !Unfit(view.Name))
            {
                continue;
            }
            var name = UnicodeText.KeptName(view.Name);
            if (UnicodeText.NameProblem(name) is not null || await db.SavedViews.AnyAsync(v => v.OwnerId == view.OwnerId && v.Id != view.Id && v.Name == name, ct))
            {
                var suffix = $" ({view.Id})";
                // Cleaned again: a name of invisible characters only is "" here, and " (12)" would
                // break the rule it is renamed for (and be renamed again by the next run).
                // KeptName, not CleanName only: the suffixed name is one the rule keeps (REVIEW10 R10-5).
                name = UnicodeText.KeptName(UnicodeText.Clip(name, SavedViewConfiguration.MaxNameLength - suffix.Length, "").TrimEnd() + suffix);
            }
            if (name.Length > SavedViewConfiguration.MaxNameLength)
            {
                // NFC lengthened it past its column: left as it is and named, the run goes on.
                tooLong.Add(view.Id);
                db.ChangeTracker.Clear();
                continue;
            }
            AuditLog.Add(db, Actor, AuditActions.ViewRenamedByRule, AuditTargets.View, view.Id.ToString(),
                new { changes = new[] { new { field = "name", before = view.Name, after = name } } });
            view.Name = name;
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            db.ChangeTracker.Clear();
            renamed++;
        }
        return renamed;
    }

    // Comments stored before the comment rule (CommentText.Clean: invisible and bidi characters
    // removed, line endings as one form) still hold what it removes, and the thread, the inbox and
    // the digest show the stored body. Read in keyset batches of bodies only; the comments of a
    // batch that differ are written in one transaction with one audit event each (the item's
    // trail, as the comment's other events, with the body before and after), their mentions moved
    // to where they stand in the cleaned body. A comment edited meanwhile (xmin) fails its batch,
    // which the next run does again.
    private async Task<int> CleanCommentsAsync(CancellationToken ct)
    {
        var cleaned = 0;
        long after = 0;
        while (true)
        {
            var batch = await db.Comments.AsNoTracking().Where(c => c.Id > after).OrderBy(c => c.Id).Take(CommentBatch).Select(c => new { c.Id, c.Body }).ToListAsync(ct);
            if (batch.Count == 0)
            {
                return cleaned;
            }
            after = batch[^1].Id;
            var ids = batch.Where(c => CommentText.Clean(c.Body) != c.Body).Select(c => c.Id).ToList();
            if (ids.Count == 0)
            {
                continue;
            }
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            try
            {
                var comments = await db.Comments.Include(c => c.Mentions).Where(c => ids.Contains(c.Id)).OrderBy(c => c.Id).ToListAsync(ct);
                var moved = new List<CommentMention>();
                var changed = 0;
                foreach (var comment in comments)
                {
                    var (body, mentions) = CommentText.Reclean(comment.Body, comment.Mentions.Select(m => (m.Start, m.Length)));
                    if (body == comment.Body)
                    {
                        continue;
                    }
                    AuditLog.Add(db, Actor, AuditActions.CommentTextReread, AuditTargets.Item, comment.ItemId.ToString(),
                        new { comment = comment.Id, before = comment.Body, after = body });
                    comment.Body = body;
                    moved.AddRange(comment.Mentions.Zip(mentions).Where(p => p.Second is not null)
                        .Select(p => new CommentMention { CommentId = comment.Id, Start = p.Second!.Value.Start, Length = p.Second.Value.Length, UserId = p.First.UserId }));
                    db.CommentMentions.RemoveRange(comment.Mentions);
                    changed++;
                }
                // Removed first: a moved mention may take the place (the key's Start) another one left.
                await db.SaveChangesAsync(ct);
                db.CommentMentions.AddRange(moved);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                cleaned += changed;
            }
            catch (DbUpdateConcurrencyException)
            {
                // Edited meanwhile: the whole batch is left for the next run.
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    // A name today's rule (SavedViews.SaveAsync: UnicodeText.CleanName, NameProblem) would not keep as it is.
    private static bool Unfit(string name) => UnicodeText.CleanName(name) is var clean && (clean != name || UnicodeText.NameProblem(clean) is not null);

    // True: changed; false: already as today's rules show it; null: its source no longer reads.
    // TooLong: today's text does not fit its column (NFC can lengthen a value), so nothing was written.
    private async Task<(bool? Done, string? TooLong)> OneAsync(long id, CancellationToken ct)
    {
        try
        {
            return (await ChangeAsync(id, ct), null);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.StringDataRightTruncation } pg)
        {
            db.ChangeTracker.Clear();
            return (false, $"today's reading does not fit its column, left as it is ({pg.MessageText})");
        }
    }

    private async Task<bool?> ChangeAsync(long id, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var item = await db.Items.Include(i => i.RelatedLinks).SingleOrDefaultAsync(i => i.Id == id, ct);
        if (item is null)
        {
            return false;
        }
        if (Parse(item) is not { } parsed)
        {
            db.ChangeTracker.Clear();
            return null;
        }
        var keyed = StoryKeyUpkeep.Inputs.Of(item);
        var changes = Changes(item, parsed);
        if (changes.Count == 0)
        {
            db.ChangeTracker.Clear();
            return false;
        }
        await StoryKeyUpkeep.RekeyAsync((NpgsqlConnection)db.Database.GetDbConnection(), stories, item, keyed, ct);
        AuditLog.Add(db, Actor, AuditActions.ItemTextReread, AuditTargets.Item, item.Id.ToString(), new { changes });
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            // Someone changed the item meanwhile (xmin): a later run reads it again.
            return false;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    private ParsedItem? Parse(Item item) => Read(item).Parsed;

    private (ParsedItem? Parsed, ReadProblem? Problem) Read(Item item)
    {
        try
        {
            return (parser.ParseText(item.FileName, "---\n" + item.SourceYaml + "---\n"), null);
        }
        catch (FrontMatterException ex)
        {
            return (null, ex.Problem);
        }
    }

    // The shown fields that differ from today's reading of the source, each set to it on `item`:
    // the import's own list of them (ItemRows.ItemText, LinkText), so both store the same text.
    private static List<object> Changes(Item item, ParsedItem parsed)
    {
        var changes = new List<object>();
        void Set(string field, string? before, string? after, Action<string?> set)
        {
            if (!string.Equals(before, after, StringComparison.Ordinal))
            {
                changes.Add(new { field, before, after });
                set(after);
            }
        }
        foreach (var field in ItemRows.ItemText)
        {
            Set(field.Name, field.Stored(item), field.Parsed(parsed), v => field.Store(item, v));
        }
        // A row with no images_json (not written by the import) has no pictures: no change when the source has none.
        if (!(item.ImagesJson is { } stored ? JsonSerializer.Deserialize<List<ParsedImage>>(stored) ?? [] : []).SequenceEqual(parsed.Images))
        {
            var images = ItemRows.ImagesJson(parsed);
            changes.Add(new { field = "images", before = item.ImagesJson, after = images });
            item.ImagesJson = images;
        }
        // A source-listed link is the one with its identity (links a merge or a new address added are
        // the CMS's and keep their text).
        foreach (var link in item.RelatedLinks.Where(l => l.MergedFromItemId is null && l.ReplacesUrl is null && l.Identity is not null))
        {
            if (parsed.Related.FirstOrDefault(r => r.Identity == link.Identity && r.DuplicateOf is null) is not { } source)
            {
                continue;
            }
            foreach (var field in ItemRows.LinkText)
            {
                Set($"related[{source.Position}].{field.Name}", field.Stored(link), field.Parsed(source), v => field.Store(link, v));
            }
        }
        return changes;
    }
}
