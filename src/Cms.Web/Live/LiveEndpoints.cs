using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Cms.Application;
using Cms.Application.Live;
using Cms.Application.Notifications;
using Cms.Core.Security;
using Cms.Data;
using Cms.Web.Infrastructure;
using Cms.Web.Infrastructure.Accounts;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Live;

// The live channel as the browser sees it: one Server-Sent Events stream per open page
// (/live, ?item= on an item page, ?queue=1 on the queue), carrying ids only, and small JSON reads
// for what an event points to. Everything here also answers through the usual authentication and
// the fallback policy (a signed-in person); item-dependent reads check ReviewItems.
public static class LiveEndpoints
{
    // How long a browser waits before reconnecting after the stream ends.
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(2);

    public static void MapLive(this WebApplication app)
    {
        var live = app.MapGroup("/live");
        live.MapGet("", Stream);
        live.MapGet("/inbox", InboxAsync);
        live.MapGet("/presence", PresenceAsync);
        live.MapGet("/people", PeopleAsync);
        live.MapGet("/item", ItemAsync);
    }

    // The stream holds no database context while it is open: its reads and writes take a scope of
    // their own and give the context back to the pool.
    private static async Task<IResult> Stream(HttpContext http, LiveHub hub, LiveOptions options, IServiceScopeFactory scopes, long? item, bool? queue)
    {
        var actor = Actors.Of(http);
        if (actor.UserId is null)
        {
            return Results.Unauthorized();
        }
        if (item is { } id && !actor.Can(Permissions.ReviewItems))
        {
            return Results.NotFound();
        }
        if (item is { } itemId)
        {
            await using var scope = scopes.CreateAsyncScope();
            if (!await scope.ServiceProvider.GetRequiredService<CmsDbContext>().Items.AnyAsync(i => i.Id == itemId, http.RequestAborted))
            {
                return Results.NotFound();
            }
        }
        var last = LastEventId(http);
        if (http.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            socket.SendBufferSize = options.SocketSendBuffer;
        }
        if (hub.TryConnect(actor.UserId, PostgresTicketStore.SessionOf(http), item, queue == true, http.Abort) is not { } client)
        {
            return Results.StatusCode(StatusCodes.Status429TooManyRequests);
        }
        http.Response.Headers["X-Accel-Buffering"] = "no";
        return TypedResults.ServerSentEvents(EventsAsync(scopes, hub, options, client, actor, last, http.RequestAborted));
    }

    // The hello (unread count and newest inbox id, as the event id), what the browser missed if it
    // reconnects (Last-Event-ID), then the hub's events until the browser leaves or falls behind.
    private static async IAsyncEnumerable<SseItem<string>> EventsAsync(IServiceScopeFactory scopes, LiveHub hub, LiveOptions options, LiveClient client,
        Actor actor, long? last, [EnumeratorCancellation] CancellationToken ct)
    {
        try
        {
            foreach (var first in await OpeningAsync(scopes, hub, options, client, actor, last, ct))
            {
                yield return Item(first);
            }
            await foreach (var e in client.Events.ReadAllAsync(ct))
            {
                yield return Item(e);
            }
        }
        finally
        {
            hub.Disconnect(client);
            if (client.ItemId is not null)
            {
                await LeaveAsync(scopes, client);
            }
        }
    }

    // Presence joined, what a reconnecting browser missed, and the hello.
    private static async Task<List<LiveEvent>> OpeningAsync(IServiceScopeFactory scopes, LiveHub hub, LiveOptions options, LiveClient client,
        Actor actor, long? last, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        if (client.ItemId is { } itemId)
        {
            await services.GetRequiredService<Presence>().JoinAsync(client.Id, itemId, client.UserId, hub.Instance, ct);
        }
        var events = new List<LiveEvent>();
        var inbox = services.GetRequiredService<Inbox>();
        if (last is { } seen)
        {
            var missed = await inbox.AfterAsync(actor, seen, options.CatchUp + 1, ct);
            events.AddRange(missed.Take(options.CatchUp)
                .Select(entry => new LiveEvent("notification", $"{{\"id\":{entry.Id}}}", entry.Id.ToString(CultureInfo.InvariantCulture))));
            if (missed.Count > options.CatchUp)
            {
                events.Add(new LiveEvent("resync", "{}"));
            }
        }
        var newest = await inbox.NewestIdAsync(actor, ct);
        var unread = await inbox.UnreadCountAsync(actor, ct);
        events.Add(new LiveEvent("hello", $"{{\"unread\":{unread},\"newest\":{newest}}}", newest.ToString(CultureInfo.InvariantCulture)));
        return events;
    }

    // The page is gone, the request's token with it: the row goes on a token of its own.
    private static async Task LeaveAsync(IServiceScopeFactory scopes, LiveClient client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            await scope.ServiceProvider.GetRequiredService<Presence>().LeaveAsync(client.Id, timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or Npgsql.NpgsqlException or InvalidOperationException)
        {
            // The heartbeat removes rows of connections this instance no longer holds.
            scope.ServiceProvider.GetRequiredService<ILogger<LiveHub>>().LogWarning(ex, "live: presence row {Connection} left for the heartbeat", client.Id);
        }
    }

    // A JSON read refused: a plain 403 (a fetch cannot follow the cookie handler's redirect to the
    // AccessDenied page), audited as every refused request is.
    private static async Task<IResult> RefusedAsync(HttpContext http, CancellationToken ct)
    {
        await Guard.RequestRefusedAsync(http.RequestServices.GetRequiredService<CmsDbContext>(), Actors.Of(http), http.Request.Path,
            $"{Permissions.ReviewItems} required", ct);
        return Results.StatusCode(StatusCodes.Status403Forbidden);
    }

    private static SseItem<string> Item(LiveEvent e) => new(e.Data, e.Type) { EventId = e.Id, ReconnectionInterval = Retry };

    // EventSource sends the last id it saw when it reconnects; a page that opens a new stream after
    // a navigation passes the same as ?last=.
    private static long? LastEventId(HttpContext http)
    {
        var text = http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? http.Request.Query["last"].FirstOrDefault();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
    }

    private static async Task<IResult> InboxAsync(HttpContext http, Inbox inbox, CancellationToken ct)
    {
        var actor = Actors.Of(http);
        return Results.Json(new { unread = await inbox.UnreadCountAsync(actor, ct), newest = await inbox.NewestIdAsync(actor, ct) });
    }

    private static async Task<IResult> PresenceAsync(HttpContext http, Presence presence, long item, CancellationToken ct)
    {
        var actor = Actors.Of(http);
        if (!actor.Can(Permissions.ReviewItems))
        {
            return await RefusedAsync(http, ct);
        }
        return Results.Json(new { others = await presence.OthersAsync(actor, item, ct) });
    }

    // "@" suggestions: people who may read items whose name starts with what was typed.
    private static async Task<IResult> PeopleAsync(HttpContext http, Cms.Application.Assignment.ItemAssignments assignments, string? q, CancellationToken ct)
    {
        var actor = Actors.Of(http);
        if (!actor.Can(Permissions.ReviewItems))
        {
            return await RefusedAsync(http, ct);
        }
        if (q is { Length: > 100 } || (q is not null && Cms.Core.Text.UnicodeText.FindControlCharacter(q, allowNewlines: false) >= 0))
        {
            return Results.BadRequest();
        }
        return Results.Json(new { people = (await assignments.CandidatesAsync(q, ct)).Select(p => p.Name) });
    }

    // What another editor's save or move changed, for "changed by X at T: reload", and the assignee.
    private static async Task<IResult> ItemAsync(HttpContext http, Cms.Application.Items.ItemLiveState items,
        Cms.Application.Assignment.ItemAssignments assignments, long item, CancellationToken ct)
    {
        if (!Actors.Of(http).Can(Permissions.ReviewItems))
        {
            return await RefusedAsync(http, ct);
        }
        if (await items.ForItemAsync(item, ct) is not { } state)
        {
            return Results.NotFound();
        }
        var assignee = await assignments.AssigneeAsync(item, ct);
        return Results.Json(new
        {
            version = state.Version,
            state = state.State.ToString(),
            changedBy = state.ChangedBy,
            changedAt = Display.DateTime(state.ChangedAt),
            assignee = assignee?.Name,
        });
    }
}
