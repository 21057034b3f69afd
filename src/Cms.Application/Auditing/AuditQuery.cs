using Cms.Application.ReadOnly;
using Cms.Core.Auditing;
using Cms.Core.Security;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Auditing;

// A view of the audit trail, bound from the query string, so a filter is a URL and the CSV export
// of a page exports exactly its filter.
public sealed class AuditFilter
{
    public string? Actor { get; set; }
    public string? Action { get; set; }
    public long? Item { get; set; }
    public DateOnly? From { get; set; }
    public DateOnly? To { get; set; }

    // Keyset cursor: events with a smaller id than this (newest first).
    public long? Before { get; set; }

    // The range ends at the end of `To`, so `To` needs a next day (9999-12-31 has none); checked
    // before any query runs, so neither the page nor a streaming CSV fails half-way.
    public static readonly DateOnly LastDate = DateOnly.MaxValue.AddDays(-1);

    public IEnumerable<(string Field, string Message)> DateProblems()
    {
        foreach (var (field, date) in new[] { ("From", From), ("To", To) })
        {
            if (date > LastDate)
            {
                yield return (field, "Dates go up to " + LastDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + ".");
            }
        }
        if (From is { } from && To is { } to && from > to)
        {
            yield return ("To", "The end date is before the start date.");
        }
    }
}

// The read side of the audit trail: the global audit page, its CSV export and the item history.
// Nobody sees events about what they may not see: only viewers who manage users see events about
// accounts (target type "user"); item history shows only the item's own events.
// The audit page and its export read the standby when one is configured (CmsReadOnlyDbContext: an
// event may show up to ReadOnly:MaxLagSeconds late); an item's history is on the editor's page and
// reads the primary, so an editor sees his own change at once.
public sealed class AuditQuery(CmsReadOnlyDbContext standby, StandbyRouting routing, CmsDbContext primary)
{
    public const int PageSize = 50;

    // Seq, PrevHash and Hash are null until the event is sealed into the chain (seconds after commit).
    public sealed record Row(long? Seq, long Id, DateTimeOffset At, string? ActorId, string Actor, string Action,
        string? TargetType, string? TargetId, string? Ip, string? RequestId, string Payload, string? PrevHash, string? Hash, int? OmittedChars)
    {
        // OmittedChars: the payload was not loaded (ItemHistoryAsync's budget), only its length.
        public string? Data => OmittedChars is null ? AuditRecord.DataOf(Payload) : null;
    }

    public sealed record Page(IReadOnlyList<Row> Rows, long? NextBefore);

    public IQueryable<AuditEvent> Filter(AuditFilter filter, Actor viewer)
    {
        var q = standby.AuditEvents.AsNoTracking();
        if (!viewer.Can(Permissions.ManageUsers))
        {
            q = q.Where(e => e.EntityType == null || e.EntityType != AuditTargets.User);
        }
        if (filter.Actor?.Trim() is { Length: > 0 } actor)
        {
            // Any part of the name or e-mail, in any case ("maria" finds maria.k@desk.example);
            // LIKE's own wildcards in what was typed are taken literally.
            var pattern = "%" + actor.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            q = q.Where(e => EF.Functions.ILike(e.Actor, pattern, "\\"));
        }
        if (filter.Action?.Trim() is { Length: > 0 } action)
        {
            q = q.Where(e => e.Action == action);
        }
        if (filter.Item is { } item)
        {
            var id = item.ToString();
            q = q.Where(e => e.EntityType == AuditTargets.Item && e.EntityId == id);
        }
        if (filter.From is { } from)
        {
            var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            q = q.Where(e => e.At >= start);
        }
        if (filter.To is { } to)
        {
            var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            q = q.Where(e => e.At < end);
        }
        return q;
    }

    public async Task<Page> PageAsync(AuditFilter filter, Actor viewer, CancellationToken ct)
    {
        var q = Filter(filter, viewer);
        if (filter.Before is { } before)
        {
            q = q.Where(e => e.Id < before);
        }
        var rows = await routing.ReadAsync(standby, c => Project(q.OrderByDescending(e => e.Id).Take(PageSize + 1)).ToListAsync(c), ct);
        if (rows.Count <= PageSize)
        {
            return new Page(rows, null);
        }
        rows.RemoveAt(PageSize);
        return new Page(rows, rows[^1].Id);
    }

    // Every event of the filter (the cursor ignored), newest first, streamed (not retried on the
    // primary if the standby stops half-way: the rows sent cannot be taken back; a new export can).
    public IAsyncEnumerable<Row> StreamAsync(AuditFilter filter, Actor viewer) =>
        Project(Filter(filter, viewer).OrderByDescending(e => e.Id)).AsAsyncEnumerable();

    // An item's own events, newest first (bounded: a history longer than this is on the audit page).
    // Payload characters one item page loads for its history (~7 bytes allocated a character,
    // read, parsed and diffed). An event's payload may be megabytes (an accepted revision holds the
    // before and after of every field it took): 200 of 1,000,000 characters cost 1.3 GiB a request.
    // Newest first, each payload that still fits is loaded; the others are listed without details.
    public const int MaxHistoryPayloadChars = 1_000_000;

    public async Task<List<Row>> ItemHistoryAsync(long itemId, int max, CancellationToken ct)
    {
        var id = itemId.ToString();
        var events = primary.AuditEvents.AsNoTracking().Where(e => e.EntityType == AuditTargets.Item && e.EntityId == id);
        var sizes = await events.OrderByDescending(e => e.Id).Take(max).Select(e => new { e.Id, e.Payload.Length }).ToListAsync(ct);
        var ids = sizes.Select(s => s.Id).ToList();
        var loaded = new List<long>();
        var total = 0L;
        foreach (var size in sizes.Where(s => total + s.Length <= MaxHistoryPayloadChars))
        {
            total += size.Length;
            loaded.Add(size.Id);
        }
        return await events.Where(e => ids.Contains(e.Id)).OrderByDescending(e => e.Id)
            .Select(e => new Row(e.Seq, e.Id, e.At, e.ActorId, e.Actor, e.Action, e.EntityType, e.EntityId, e.Ip, e.RequestId,
                loaded.Contains(e.Id) ? e.Payload : "", e.PrevHash, e.Hash, loaded.Contains(e.Id) ? null : (int?)e.Payload.Length))
            .ToListAsync(ct);
    }

    private static IQueryable<Row> Project(IQueryable<AuditEvent> q) =>
        q.Select(e => new Row(e.Seq, e.Id, e.At, e.ActorId, e.Actor, e.Action, e.EntityType, e.EntityId, e.Ip, e.RequestId, e.Payload, e.PrevHash, e.Hash, null));
}
