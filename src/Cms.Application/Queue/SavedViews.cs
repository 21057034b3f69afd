using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Security;
using Cms.Core.Text;
using Cms.Data;
using Cms.Data.Configurations;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Queue;

// Named queue views (the desk's "today's arrivals", "Russian desk, undecided links"): personal,
// shared with a role, or for everyone. Anyone who reviews items saves views for themselves and may
// share one with a role they hold; sharing with another role or with everyone needs ShareViews.
// Each person orders the views they see and may pick one as their default (the queue opens on it).
// Only whoever may share a view as it is shared may change or delete it (its owner, or a holder of
// ShareViews). Every change is audited.
public sealed class SavedViews(CmsDbContext db, QueueQuery queue)
{
    // The queue page counts this many views of a person's list (each count is a query).
    public const int MaxCounted = 12;

    // How many views one person may own (shared ones included): every view shared with a role is
    // listed, and checked, on the queue page of everyone holding that role.
    public const int MaxPerOwner = 100;

    // Two tabs of one person saving, arranging or choosing views at once (SameMoment).
    private const int ViewLockSpace = 0x76696577; // "view"

    private const string SameTimeMessage = "Your views were changed in another tab or window at the same moment; reload the page and try again.";

    public sealed record Entry(long Id, string Name, string Query, string? SharedWith, string OwnerName, bool Mine, bool IsDefault, bool CanChange)
    {
        public string Sharing => SharedWith switch
        {
            null => "only you",
            SavedView.Everyone => "everyone",
            var role => role + "s",
        };
    }

    // A view with its count, or why it cannot be counted any more (a topic it filters by is gone).
    public sealed record Counted(Entry View, StateCount? Count, string? Problem);

    // The views this person sees (their own, those shared with everyone or with one of their roles)
    // with their place in the person's list, as one JSON array. One definition for ListAsync and for
    // the queue page, which reads it inside its one statement of lists (QueueQuery.PageListsAsync).
    internal const string VisibleSql = $"""
        SELECT coalesce(json_agg(json_build_object('Id', v.id, 'Name', v.name, 'Query', v.query, 'SharedWith', v.shared_with,
                   'OwnerId', v.owner_id, 'OwnerName', v.owner_name, 'Position', c.position, 'IsDefault', c.is_default)), '[]')::text
        FROM saved_views v LEFT JOIN saved_view_choices c ON c.user_id = @me AND c.view_id = v.id
        WHERE v.owner_id = @me OR v.shared_with = '{SavedView.Everyone}' OR v.shared_with = ANY(@roles)
        """;

    // The views this person sees, in their order (then by name; views never moved come last).
    public async Task<IReadOnlyList<Entry>> ListAsync(Actor actor, CancellationToken ct)
    {
        if (actor.UserId is not { } me)
        {
            return [];
        }
        var json = await db.Database.SqlQueryRaw<string>($"SELECT ({VisibleSql}) AS \"Value\"",
            new Npgsql.NpgsqlParameter("me", me), new Npgsql.NpgsqlParameter("roles", actor.Roles.ToArray())).SingleAsync(ct);
        return Entries(actor, json);
    }

    private sealed record VisibleView(long Id, string Name, string Query, string? SharedWith, string OwnerId, string OwnerName, int? Position, bool? IsDefault);

    // The list from VisibleSql's JSON, ordered, with what this person may do with each view.
    public static IReadOnlyList<Entry> Entries(Actor actor, string json)
    {
        if (actor.UserId is not { } me)
        {
            return [];
        }
        return (System.Text.Json.JsonSerializer.Deserialize<List<VisibleView>>(json) ?? [])
            .OrderBy(v => v.Position ?? int.MaxValue).ThenBy(v => v.Name, StringComparer.CurrentCultureIgnoreCase).ThenBy(v => v.Id)
            .Select(v => new Entry(v.Id, v.Name, Folded(v.Query), v.SharedWith, v.OwnerName, v.OwnerId == me,
                v.IsDefault == true, MayShare(actor, v.SharedWith) && (v.OwnerId == me || actor.Can(Permissions.ShareViews))))
            .ToList();
    }

    // A view saved with a category spelled before the name rule (UnicodeText.CleanName: "World
    // news ", "Cafe\u0301") reads as the view the queue binds today (QueueView cleans Category),
    // so its link, its count and "which view is on screen" agree; the stored row is left as the
    // person saved it (nothing changed, nothing to audit). Only such views are parsed again.
    private static string Folded(string query) =>
        query.Contains(QueueViewText.Prefix + nameof(QueueView.Category) + "=", StringComparison.OrdinalIgnoreCase)
            ? QueueViewText.Canonical(query) ?? query
            : query;

    // The list with each view's count (the first MaxCounted), and a problem instead of a count for a
    // view that no longer fits the data (a topic it names was merged away or renamed).
    public async Task<IReadOnlyList<Counted>> CountedAsync(Actor actor, CancellationToken ct) => await CountedAsync(await ListAsync(actor, ct), ct);

    // The counts of a list already read (the queue page reads it once for the default view too).
    // The views share the scope's QueueQuery: one read of the state totals and of each topic.
    public async Task<IReadOnlyList<Counted>> CountedAsync(IReadOnlyList<Entry> list, CancellationToken ct)
    {
        var views = list.Select(e => (Entry: e, View: QueueViewText.Parse(e.Query).View)).ToList();
        // Which topics named by any of the views still exist: one query for the whole list.
        var named = views.Where(v => v.View is not null).SelectMany(v => v.View!.Topic).Where(t => !string.IsNullOrWhiteSpace(t))
            .Select(t => TopicNames.Normalize(t.Trim())).Distinct().ToList();
        var known = await queue.KnownTopicsAsync(named, ct);
        var result = new List<Counted>();
        foreach (var ((entry, view), index) in views.Select((v, i) => (v, i)))
        {
            if (view is null)
            {
                result.Add(new(entry, null, "This view's filter is no longer valid."));
                continue;
            }
            var missing = view.Topic.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).DistinctBy(TopicNames.Normalize)
                .Where(t => !known.Contains(TopicNames.Normalize(t))).ToList();
            if (missing.Count > 0)
            {
                result.Add(new(entry, null, MissingTopics(missing)));
                continue;
            }
            result.Add(new(entry, index < MaxCounted ? await queue.TotalAsync(view, ct) : null, null));
        }
        return result;
    }

    public static string MissingTopics(IReadOnlyList<string> missing) =>
        (missing.Count == 1 ? $"The topic '{missing[0]}' no longer exists" : $"The topics {string.Join(", ", missing.Select(m => $"'{m}'"))} no longer exist")
        + " (renamed or merged): this filter matches nothing until it is changed.";

    public sealed record SaveCommand(string Name, string Query, string? SharedWith, bool MakeDefault = false);

    // Saves the view under its name: a new view, or the person's own view of that name changed.
    public async Task<Outcome<long>> SaveAsync(Actor actor, SaveCommand command, CancellationToken ct)
    {
        if (await Guard.RequireAsync(db, actor, Permissions.ReviewItems, "Saving a view", new Attempt(AuditActions.ViewSaved, AuditTargets.View), ct) is { } refused)
        {
            return refused;
        }
        if (actor.UserId is not { } me)
        {
            return Outcome.Invalid(nameof(SaveCommand.Name), "Views belong to a person's account.");
        }
        var name = UnicodeText.CleanName(command.Name ?? "");
        var errors = new List<FieldError>();
        if (name.Length is 0 or > SavedViewConfiguration.MaxNameLength || UnicodeText.FindControlCharacter(name, allowNewlines: false) >= 0)
        {
            errors.Add(new(nameof(SaveCommand.Name), $"Name the view in 1 to {SavedViewConfiguration.MaxNameLength} characters, without control characters."));
        }
        // A shared view's name is listed for everyone it is shared with: as with topics, one that
        // looks like another (zero-width, bidi, a blank look-alike) or shows nothing is refused, and
        // blanks are folded as in every name (UnicodeText's rule).
        else if (UnicodeText.NameProblem(name) is { } unseen)
        {
            errors.Add(new(nameof(SaveCommand.Name), $"The view's name {unseen}."));
        }
        var query = QueueViewText.Canonical(command.Query);
        if (query is null || query.Length > SavedViewConfiguration.MaxQueryLength)
        {
            errors.Add(new(nameof(SaveCommand.Query), "This view cannot be saved: " + (QueueViewText.Parse(command.Query).Problem ?? "it is too long.")));
        }
        var sharedWith = string.IsNullOrWhiteSpace(command.SharedWith) ? null : command.SharedWith.Trim();
        if (sharedWith is not null && sharedWith != SavedView.Everyone && !Roles.All.Contains(sharedWith))
        {
            errors.Add(new(nameof(SaveCommand.SharedWith), "Share with a role, with everyone, or with no one."));
        }
        if (errors.Count > 0)
        {
            return Outcome.Invalid(errors);
        }
        if (!MayShare(actor, sharedWith))
        {
            return await Guard.RefuseAsync(db, actor, new Attempt(AuditActions.ViewSaved, AuditTargets.View), $"{Permissions.ShareViews} required",
                $"Sharing a view with {(sharedWith == SavedView.Everyone ? "everyone" : sharedWith + "s")} needs the {Permissions.ShareViews} permission.", ct);
        }

        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = DateTimeOffset.UtcNow;
            var view = await db.SavedViews.SingleOrDefaultAsync(v => v.OwnerId == me && v.Name == name, ct);
            var created = view is null;
            if (view is null)
            {
                view = new SavedView { Name = name, OwnerId = me, OwnerName = actor.Name, Query = query!, SharedWith = sharedWith, CreatedAt = now, UpdatedAt = now };
                db.SavedViews.Add(view);
            }
            else if (!MayShare(actor, view.SharedWith))
            {
                db.ChangeTracker.Clear();
                return Outcome.Invalid(nameof(SaveCommand.Name), "You already have a view of this name that you may no longer change; choose another name.");
            }
            else
            {
                view.Query = query!;
                view.SharedWith = sharedWith;
                view.UpdatedAt = now;
            }
            await db.SaveChangesAsync(ct);
            // Counted after the insert, under a per-person lock held to the commit: two tabs each
            // creating a view read the other's once it committed, so neither goes over the limit.
            if (created)
            {
                await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock({ViewLockSpace}, hashtext({me}))", ct);
                if (await db.SavedViews.CountAsync(v => v.OwnerId == me, ct) > MaxPerOwner)
                {
                    db.ChangeTracker.Clear();
                    return Outcome.Invalid(nameof(SaveCommand.Name), $"You already have {MaxPerOwner} views, the most one person may keep; delete one or change one of yours instead.");
                }
            }
            AuditLog.Add(db, actor, AuditActions.ViewSaved, AuditTargets.View, view.Id.ToString(), new { name, query, sharedWith, created });
            if (command.MakeDefault)
            {
                await ChooseDefaultAsync(actor, me, view.Id, ct);
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Outcome<long>.Ok(view.Id, $"Saved the view “{name}”" + (sharedWith is null ? "." : $", shared with {(sharedWith == SavedView.Everyone ? "everyone" : sharedWith + "s")}."));
        }
        catch (DbUpdateException ex) when (SameMoment.Lost(ex))
        {
            return SameMoment.Conflict(db, SameTimeMessage);
        }
    }

    public async Task<Outcome> DeleteAsync(Actor actor, long id, CancellationToken ct)
    {
        if (await Guard.RequireAsync(db, actor, Permissions.ReviewItems, "Deleting a view", new Attempt(AuditActions.ViewDeleted, AuditTargets.View, id.ToString()), ct) is { } refused)
        {
            return refused;
        }
        var view = await db.SavedViews.SingleOrDefaultAsync(v => v.Id == id, ct);
        if (view is null || !Visible(actor, view))
        {
            return Outcome.NotFound();
        }
        if (!MayChange(actor, view))
        {
            return await Guard.RefuseAsync(db, actor, new Attempt(AuditActions.ViewDeleted, AuditTargets.View, id.ToString()), "not the owner",
                "Only its owner, or someone who may share views, can delete this view.", ct);
        }
        db.SavedViews.Remove(view);
        AuditLog.Add(db, actor, AuditActions.ViewDeleted, AuditTargets.View, id.ToString(), new { view.Name, view.Query, view.SharedWith });
        await db.SaveChangesAsync(ct);
        return Outcome.Ok($"Deleted the view “{view.Name}”.");
    }

    // Moves a view one place up (-1) or down (+1) in this person's list.
    public async Task<Outcome> MoveAsync(Actor actor, long id, int step, CancellationToken ct)
    {
        if (await Guard.RequireAsync(db, actor, Permissions.ReviewItems, "Arranging views", new Attempt(AuditActions.ViewArranged, AuditTargets.View, id.ToString()), ct) is { } refused)
        {
            return refused;
        }
        var list = (await ListAsync(actor, ct)).ToList();
        var index = list.FindIndex(v => v.Id == id);
        if (index < 0 || actor.UserId is not { } me)
        {
            return Outcome.NotFound();
        }
        var target = Math.Clamp(index + Math.Sign(step), 0, list.Count - 1);
        (list[index], list[target]) = (list[target], list[index]);
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var choices = await db.SavedViewChoices.Where(c => c.UserId == me).ToDictionaryAsync(c => c.ViewId, ct);
            for (var position = 0; position < list.Count; position++)
            {
                if (!choices.TryGetValue(list[position].Id, out var choice))
                {
                    db.SavedViewChoices.Add(choice = new SavedViewChoice { UserId = me, ViewId = list[position].Id });
                }
                choice.Position = position;
            }
            AuditLog.Add(db, actor, AuditActions.ViewArranged, AuditTargets.View, id.ToString(), new { order = list.Select(v => v.Id).ToList() });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException ex) when (SameMoment.Lost(ex))
        {
            return SameMoment.Conflict(db, SameTimeMessage);
        }
        return Outcome.Ok($"Moved “{list[target].Name}” {(step < 0 ? "up" : "down")}.");
    }

    // Makes a view this person's default (null: none; the queue then opens on the review queue).
    public async Task<Outcome> SetDefaultAsync(Actor actor, long? id, CancellationToken ct)
    {
        if (await Guard.RequireAsync(db, actor, Permissions.ReviewItems, "Choosing a default view", new Attempt(AuditActions.ViewArranged, AuditTargets.View, id?.ToString()), ct) is { } refused)
        {
            return refused;
        }
        if (actor.UserId is not { } me)
        {
            return Outcome.NotFound();
        }
        var list = await ListAsync(actor, ct);
        if (id is { } viewId && list.All(v => v.Id != viewId))
        {
            return Outcome.NotFound();
        }
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await ChooseDefaultAsync(actor, me, id, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException ex) when (SameMoment.Lost(ex))
        {
            return SameMoment.Conflict(db, SameTimeMessage);
        }
        return Outcome.Ok(id is null ? "The queue opens on the review queue again." : $"The queue now opens on “{list.Single(v => v.Id == id).Name}”.");
    }

    private async Task ChooseDefaultAsync(Actor actor, string me, long? id, CancellationToken ct)
    {
        // Cleared first (and written) so the partial unique index never sees two defaults.
        await db.SavedViewChoices.Where(c => c.UserId == me && c.IsDefault).ExecuteUpdateAsync(u => u.SetProperty(c => c.IsDefault, false), ct);
        if (id is { } viewId)
        {
            var choice = await db.SavedViewChoices.SingleOrDefaultAsync(c => c.UserId == me && c.ViewId == viewId, ct);
            if (choice is null)
            {
                // Unplaced, like every view this person never moved: choosing a default does not reorder the list.
                db.SavedViewChoices.Add(choice = new SavedViewChoice { UserId = me, ViewId = viewId, Position = int.MaxValue });
            }
            choice.IsDefault = true;
        }
        AuditLog.Add(db, actor, AuditActions.ViewArranged, AuditTargets.View, id?.ToString(), new { defaultView = id });
    }

    // Whether this person may share a view so: with no one, a role they hold, or (ShareViews) any.
    public static bool MayShare(Actor actor, string? sharedWith) =>
        sharedWith is null || actor.Can(Permissions.ShareViews) || (sharedWith != SavedView.Everyone && actor.Roles.Contains(sharedWith));

    private static bool Visible(Actor actor, SavedView view) =>
        view.OwnerId == actor.UserId || view.SharedWith == SavedView.Everyone || (view.SharedWith is { } role && actor.Roles.Contains(role));

    private static bool MayChange(Actor actor, SavedView view) =>
        MayShare(actor, view.SharedWith) && (view.OwnerId == actor.UserId || actor.Can(Permissions.ShareViews));
}
