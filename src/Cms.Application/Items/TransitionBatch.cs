using Cms.Application.Auditing;
using Cms.Application.Publishing;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Cms.Application.Items;

// The workflow facts of one item, read without tracking the whole row (its source, its search
// vector), changed in memory by ItemTransitions.Apply and written back set-based.
internal sealed class Subject
{
    public long Id { get; init; }
    public required string FileName { get; init; }
    public WorkflowState State { get; set; }
    public string? ReadyBy { get; set; }
    public string? ReadyByName { get; set; }
    public DateTimeOffset? ReadyAt { get; set; }
    public DateTimeOffset? PublishAt { get; set; }
    public string? PublishScheduledBy { get; set; }
    public string? PublishScheduledByName { get; set; }
    public string? OutputFile { get; set; }
    public uint Version { get; init; }
    public int Undecided { get; init; }
    public int OpenBlockingThreads { get; init; }
    public bool Changed { get; set; }
}

// One transaction's moves: the subjects, what is already published under which name, and the
// audit events and outbox rows the moves produce. Written with three statements and two COPYs
// whatever the number of items (a bulk publish of 1,000 items is one click).
internal sealed class TransitionBatch(CmsDbContext db, Actor actor, DateTimeOffset now)
{
    public string ActorName => actor.Name;
    public DateTimeOffset Now => now;

    public List<Subject> Subjects { get; private set; } = [];
    public HashSet<string> TakenOutputFiles { get; private set; } = [];
    public List<(string TargetId, object? Data)> Moves { get; } = [];
    public List<(string TargetId, object? Data)> Refusals { get; } = [];
    public List<(long ItemId, WorkflowAction Trigger)> Jobs { get; } = [];
    public List<(long ItemId, WorkflowAction Action, string? ReadyBy, string? Reason)> Returned { get; } = [];

    public async Task LoadAsync(IReadOnlyList<long> ids, CancellationToken ct)
    {
        var blocking = Comments.BlockingThreads.Open(db);
        Subjects = await db.Items.AsNoTracking().Where(i => ids.Contains(i.Id)).OrderBy(i => i.Id)
            .Select(i => new Subject
            {
                Id = i.Id,
                FileName = i.FileName,
                State = i.State,
                ReadyBy = i.ReadyBy,
                ReadyByName = i.ReadyByName,
                ReadyAt = i.ReadyAt,
                PublishAt = i.PublishAt,
                PublishScheduledBy = i.PublishScheduledBy,
                PublishScheduledByName = i.PublishScheduledByName,
                OutputFile = i.OutputFile,
                Version = i.Version,
                Undecided = i.RelatedLinks.Count(l => l.Decision == LinkDecision.Pending),
                OpenBlockingThreads = blocking.Count(c => c.ItemId == i.Id),
            })
            .ToListAsync(ct);
        var names = Subjects.Where(s => s.OutputFile is null).Select(s => s.FileName).Distinct().ToList();
        var taken = await db.Items.Where(i => i.OutputFile != null && names.Contains(i.OutputFile)).Select(i => i.OutputFile!).ToListAsync(ct);
        TakenOutputFiles = taken.ToHashSet(StringComparer.Ordinal);
    }

    // Returns false when an item changed since it was read (its xmin moved): nothing may be written.
    public async Task<bool> WriteAsync(CancellationToken ct)
    {
        var changed = Subjects.Where(s => s.Changed).ToList();
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        if (changed.Count > 0)
        {
            await using var update = new NpgsqlCommand("""
                UPDATE items AS i SET state = u.state, ready_by = u.ready_by, ready_by_name = u.ready_by_name, ready_at = u.ready_at,
                  publish_at = u.publish_at, publish_scheduled_by = u.scheduled_by, publish_scheduled_by_name = u.scheduled_by_name,
                  output_file = u.output_file, edited_at = @now, edited_by = @actor, updated_at = @now
                FROM unnest(@ids, @states, @ready_by, @ready_by_name, @ready_at, @publish_at, @scheduled_by, @scheduled_by_name, @output_file, @versions)
                  AS u(id, state, ready_by, ready_by_name, ready_at, publish_at, scheduled_by, scheduled_by_name, output_file, version)
                WHERE i.id = u.id AND i.xmin = u.version::xid
                """, conn);
            update.Parameters.AddWithValue("now", now);
            update.Parameters.AddWithValue("actor", actor.Name);
            update.Parameters.AddWithValue("ids", changed.Select(s => s.Id).ToArray());
            update.Parameters.AddWithValue("states", changed.Select(s => s.State.ToString()).ToArray());
            Texts(update, "ready_by", changed.Select(s => s.ReadyBy));
            Texts(update, "ready_by_name", changed.Select(s => s.ReadyByName));
            Times(update, "ready_at", changed.Select(s => s.ReadyAt));
            Times(update, "publish_at", changed.Select(s => s.PublishAt));
            Texts(update, "scheduled_by", changed.Select(s => s.PublishScheduledBy));
            Texts(update, "scheduled_by_name", changed.Select(s => s.PublishScheduledByName));
            Texts(update, "output_file", changed.Select(s => s.OutputFile));
            update.Parameters.AddWithValue("versions", changed.Select(s => s.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
            if (await update.ExecuteNonQueryAsync(ct) != changed.Count)
            {
                return false;
            }
        }
        if (Jobs.Count > 0)
        {
            await using var insert = new NpgsqlCommand("""
                INSERT INTO publish_jobs (item_id, "trigger", requested_by, created_at, status, attempts, next_attempt_at)
                SELECT j.item_id, j.move, @actor, @now, 'Pending', 0, @now FROM unnest(@items, @triggers) AS j(item_id, move)
                """, conn);
            insert.Parameters.AddWithValue("actor", actor.Name);
            insert.Parameters.AddWithValue("now", now);
            insert.Parameters.AddWithValue("items", Jobs.Select(j => j.ItemId).ToArray());
            insert.Parameters.AddWithValue("triggers", Jobs.Select(j => j.Trigger.ToString()).ToArray());
            await insert.ExecuteNonQueryAsync(ct);
        }
        if (Moves.Count > 0)
        {
            await AuditLog.CopyAsync(conn, actor, AuditActions.ItemStateChanged, AuditTargets.Item, Moves, now, ct);
        }
        if (Returned.Count > 0)
        {
            await Notifications.Notifier.ItemsReturnedAsync(conn, actor, Returned, now, ct);
        }
        if (Refusals.Count > 0)
        {
            await AuditLog.CopyAsync(conn, actor, AuditActions.ItemTransitionRefused, AuditTargets.Item, Refusals, now, ct);
        }
        if (Jobs.Count > 0)
        {
            await PublishSignal.NotifyAsync(db, ct);
        }
        return true;
    }

    private static void Texts(NpgsqlCommand command, string name, IEnumerable<string?> values) =>
        command.Parameters.Add(new NpgsqlParameter<string?[]>(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = values.ToArray() });

    private static void Times(NpgsqlCommand command, string name, IEnumerable<DateTimeOffset?> values) =>
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?[]>(name, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = values.ToArray() });
}
