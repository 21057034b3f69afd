using Cms.Data;

namespace Cms.Application.Items;

// A workflow move from the item page together with the editor's unsaved edits, in one transaction:
// the edits are saved first (SaveItemEdits' rules, its version check and its item.edited event),
// then the move is made on the saved item (ItemTransitions' table), so "Mark ready" after typing a
// score never marks the old score ready. A move refused after the edits (links still undecided,
// an edit that returned a Ready item to New before Publish) rolls both back: nothing is saved, the
// page keeps the form and says why, and the refusal is recorded on its own.
public sealed class SaveAndMove(CmsDbContext db, SaveItemEdits save, ItemTransitions transitions)
{
    public const string NothingSaved = "Nothing was saved: your changes are still in the form.";

    public async Task<Outcome> HandleAsync(Actor actor, SaveItemEdits.Command edits, ItemTransitions.Request move, CancellationToken ct)
    {
        if (await save.CheckAsync(actor, edits, ct) is { } editRefused)
        {
            return editRefused;
        }
        if (await transitions.CheckAsync(actor, move, ct) is { } moveRefused)
        {
            return moveRefused;
        }
        SaveItemEdits.Edit edit;
        ItemTransitions.Move moved;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            edit = await save.ApplyAsync(actor, edits, ct);
            if (!edit.Outcome.Succeeded)
            {
                return edit.Outcome;
            }
            // With edits, the save checked the page's version. Without, the move must still act on
            // what the person saw: a publish on a page older than the item (a revision accepted, the
            // item marked ready again meanwhile) would deliver a text nobody reviewed on that page.
            if (!edit.Changed && await save.ChangedSinceAsync(edits.ItemId, edits.Version, ct) is { } stale)
            {
                return stale;
            }
            moved = await transitions.MoveAsync(actor, move, keepRefusal: false, ct);
            if (moved.Outcome.Succeeded)
            {
                await tx.CommitAsync(ct);
                return Outcome.Ok(edit.Changed ? $"Saved {string.Join(", ", edit.Summary)}. {moved.Outcome.Message}" : moved.Outcome.Message);
            }
        }
        // Rolled back: record the refusal alone. With edits in the form, a refusal of any kind keeps
        // the page and the form (a 403 page would lose them); the reason was audited either way.
        if (moved.Refusal is { } refusal)
        {
            await transitions.RecordRefusalAsync(actor, refusal, ct);
        }
        return edit.Changed && moved.Outcome.Status is OutcomeStatus.Invalid or OutcomeStatus.Forbidden
            ? Outcome.Invalid("Action", $"{moved.Outcome.Message} {NothingSaved}")
            : moved.Outcome;
    }
}
