using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cms.Application;

// Two requests that both read "no row yet" (or "this row") and both write it: the second's write
// hits the unique index, or finds the row the first removed. Not a server error: the handler
// answers it as a conflict, like a save conflict, and the person reloads and sees the first's change.
public static class SameMoment
{
    public static bool Lost(DbUpdateException ex) =>
        ex is DbUpdateConcurrencyException || ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    // The loser's answer: its unsaved changes are dropped from the context (the audit row among
    // them), so nothing of the lost write is saved by a later SaveChanges of the same request.
    public static Outcome Conflict(DbContext db, string message)
    {
        db.ChangeTracker.Clear();
        return Outcome.Conflict(message);
    }
}
