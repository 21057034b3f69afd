using Cms.Application;
using Cms.Application.Queue;
using Cms.Application.Users;
using Cms.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Bench;

// The queue page's own SQL, the baseline of `./cms bench queue`: every statement one GET of the
// page sends, in its order, through the same application calls, scopes and connection settings
// (pooled contexts, automatic preparation) as the app: the session behind the cookie (the ticket
// store's own scope), then the page's reads (IndexModel.OnGetAsync). What it leaves out is the
// page's own work: HTTP, authentication's cookie and ticket, model binding, rendering.
// QueueRoundTripTests.The_benchmarks_SQL_baseline_sends_exactly_the_statements_of_the_page checks
// it against the commands a page sends. Before 2026-12-06 the baseline was the counts and the page
// of rows only (for the default view: the state totals and the rows, two of the page's three
// statements, and a smaller one than the page's statement of lists).
public static class QueuePageSql
{
    // The signed-in person's live session (the newest; signing the bench account in ended the others).
    public static async Task<string> SessionOfAsync(IServiceProvider services, string email, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CmsDbContext>();
        var normalized = email.ToUpperInvariant();
        return await db.UserSessions.Where(s => db.Users.Any(u => u.Id == s.UserId && u.NormalizedEmail == normalized))
            .OrderByDescending(s => s.CreatedAt).Select(s => s.Id).FirstAsync(ct);
    }

    // The person as the page sees them, from the session's ticket (read once, not per request).
    public static async Task<Actor> ActorOfAsync(IServiceProvider services, string sessionId, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var (stored, _) = await scope.ServiceProvider.GetRequiredService<UserSessions>().RetrieveAsync(sessionId, ct);
        var ticket = TicketSerializer.Default.Deserialize(stored?.Ticket ?? throw new InvalidOperationException("the bench session is not live"));
        return Actor.FromPrincipal(ticket!.Principal);
    }

    public static async Task RunAsync(IServiceProvider services, string sessionId, Actor actor, QueueView view, CancellationToken ct)
    {
        // Authentication (PostgresTicketStore.RetrieveAsync): its own scope, as in the app.
        await using (var session = services.CreateAsyncScope())
        {
            await session.ServiceProvider.GetRequiredService<UserSessions>().RetrieveAsync(sessionId, ct);
        }
        // The page (IndexModel.OnGetAsync and LoadAsync), in its order.
        await using var scope = services.CreateAsyncScope();
        var queue = scope.ServiceProvider.GetRequiredService<QueueQuery>();
        var lists = await queue.PageListsAsync(actor, view, ct);
        await queue.CountsAsync(view, ct);
        await queue.PageAsync(view, ct);
        await queue.MissingTopicsAsync(view, ct);
        await scope.ServiceProvider.GetRequiredService<SavedViews>().CountedAsync(SavedViews.Entries(actor, lists.SavedViewsJson), ct);
    }
}
