using Cms.Core.Items;
using Cms.Data.Entities;

namespace Cms.Application.Items;

// Rules every change to an item obeys, whichever entry point makes it.
public static class ItemChanges
{
    // A person's change: from now on the importer keeps new sources aside instead of overwriting,
    // and the row's xmin moves, so an editor holding an older version gets a conflict.
    public static void Stamp(Item item, Actor actor, DateTimeOffset now)
    {
        item.EditedAt = now;
        item.EditedBy = actor.Name;
        item.UpdatedAt = now;
    }

    // Unsafe links stay rejected: a URL that is not absolute http(s) can never be published as a link.
    public static bool MayDecide(RelatedLink link, LinkDecision decision) =>
        link.IsSafeUrl || decision != LinkDecision.Approved;

    // Returns whether anything changed.
    public static bool Decide(RelatedLink link, LinkDecision decision, string? reason, Actor actor, DateTimeOffset now)
    {
        if (!MayDecide(link, decision) || (link.Decision == decision && link.Reason == reason))
        {
            return false;
        }
        link.Decision = decision;
        link.Reason = reason;
        link.DecidedBy = actor.Name;
        link.DecidedAt = now;
        return true;
    }
}
