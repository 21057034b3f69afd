using Cms.Application.Auditing;
using Cms.Application.Publishing;
using Cms.Application.Stories;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Cms.Application.Items;

// One transaction's moves: the items (their workflow columns only, read without tracking: never
// their source or search vectors), what is already published under which name, and the audit
// events and outbox rows the moves produce. ItemChanges and ItemTransitions.Apply set the columns
// in memory; this writes them with three statements and two COPYs whatever the number of items (a
// bulk publish of 1,000 items is one click).
internal sealed class TransitionBatch(CmsDbContext db, Actor actor, DateTimeOffset now)
{
    private readonly HashSet<long> _changed = [];
    private Dictionary<long, int> _undecided = [];
    private Dictionary<long, int> _blocking = [];
    private HashSet<long> _pendingRevision = [];

    public string ActorName => actor.Name;
    public DateTimeOffset Now => now;

    public List<Item> Items { get; private set; } = [];
    public HashSet<string> TakenOutputFiles { get; private set; } = [];

    // Each unpublished item's possible output names, in order of preference (OutputNames).
    public Dictionary<long, IReadOnlyList<string>> OutputCandidates { get; private set; } = [];
    public List<(string TargetId, object? Data)> Moves { get; } = [];
    public List<(string TargetId, object? Data)> Refusals { get; } = [];
    public List<(long ItemId, WorkflowAction Trigger)> Jobs { get; } = [];
    public List<(long ItemId, WorkflowAction Action, string? ReadyBy, string? Reason)> Returned { get; } = [];

    // Merged items reopened in this batch (Reopen undoes the merge): item id, the lead it was merged into.
    public List<(long ItemId, long LeadId)> Unmerged { get; } = [];

    public int Undecided(Item item) => _undecided[item.Id];

    public int OpenBlockingThreads(Item item) => _blocking[item.Id];
    // Whether a source revision waits for a decision: nothing may be published past it.
    public bool PendingRevision(Item item) => _pendingRevision.Contains(item.Id);

    // The item is written back, stamped as this actor's change.
    public void Changed(Item item)
    {
        ItemChanges.Stamp(item, actor, now, changesContent: false);
        _changed.Add(item.Id);
    }

    // held: the caller already holds these rows as ItemLocks would (the scheduler's claim).
    public async Task LoadAsync(IReadOnlyList<long> ids, CancellationToken ct, bool held = false)
    {
        // The rows are held (ItemLocks) before anything is counted: a blocking comment, which holds
        // its item too (ItemComments), is either counted here or added
        // after this move commits, never committed in between and missed.
        if (!held)
        {
            await ItemLocks.HoldAsync(db, ids, ct);
        }
        var blocking = Comments.BlockingThreads.Open(db);
        var rows = await db.Items.AsNoTracking().Where(i => ids.Contains(i.Id)).OrderBy(i => i.Id)
            .Select(i => new
            {
                Item = new Item
                {
                    Id = i.Id,
                    OriginalUrl = i.OriginalUrl,
                    FileName = i.FileName,
                    Title = i.Title,
                    // Not read: a move never touches the source.
                    SourceYaml = null!,
                    SourceHash = i.SourceHash,
                    State = i.State,
                    ReadyBy = i.ReadyBy,
                    ReadyByName = i.ReadyByName,
                    ReadyAt = i.ReadyAt,
                    PublishAt = i.PublishAt,
                    PublishScheduledBy = i.PublishScheduledBy,
                    PublishScheduledByName = i.PublishScheduledByName,
                    OutputFile = i.OutputFile,
                    EditedAt = i.EditedAt,
                    EditedBy = i.EditedBy,
                    UpdatedAt = i.UpdatedAt,
                    Version = i.Version,
                    MergedIntoId = i.MergedIntoId,
                },
                Undecided = i.RelatedLinks.Count(l => l.Decision == LinkDecision.Pending),
                OpenBlockingThreads = blocking.Count(c => c.ItemId == i.Id),
                PendingRevision = i.Revisions.Any(r => r.Status == RevisionStatus.Pending),
            })
            .ToListAsync(ct);
        Items = rows.Select(r => r.Item).ToList();
        _undecided = rows.ToDictionary(r => r.Item.Id, r => r.Undecided);
        _blocking = rows.ToDictionary(r => r.Item.Id, r => r.OpenBlockingThreads);
        _pendingRevision = rows.Where(r => r.PendingRevision).Select(r => r.Item.Id).ToHashSet();
        OutputCandidates = Items.Where(s => s.OutputFile is null).ToDictionary(s => s.Id, s => OutputNames.Candidates(s.Id, s.FileName));
        var names = OutputCandidates.Values.SelectMany(c => c).Distinct().ToList();
        var taken = await db.Items.Where(i => i.OutputFile != null && names.Contains(i.OutputFile)).Select(i => i.OutputFile!).ToListAsync(ct);
        TakenOutputFiles = taken.ToHashSet(StringComparer.Ordinal);
    }

    // Returns false when an item changed since it was read (its xmin moved): nothing may be written.
    public async Task<bool> WriteAsync(CancellationToken ct)
    {
        var changed = Items.Where(i => _changed.Contains(i.Id)).ToList();
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        if (changed.Count > 0)
        {
            // Every value comes from the items as ItemChanges left them; the statement only stores them.
            await using var update = new NpgsqlCommand("""
                UPDATE items AS i SET state = u.state, ready_by = u.ready_by, ready_by_name = u.ready_by_name, ready_at = u.ready_at,
                  publish_at = u.publish_at, publish_scheduled_by = u.scheduled_by, publish_scheduled_by_name = u.scheduled_by_name,
                  output_file = u.output_file, edited_at = u.edited_at, edited_by = u.edited_by, updated_at = u.updated_at
                FROM unnest(@ids, @states, @ready_by, @ready_by_name, @ready_at, @publish_at, @scheduled_by, @scheduled_by_name, @output_file,
                  @edited_at, @edited_by, @updated_at, @versions)
                  AS u(id, state, ready_by, ready_by_name, ready_at, publish_at, scheduled_by, scheduled_by_name, output_file,
                  edited_at, edited_by, updated_at, version)
                WHERE i.id = u.id AND i.xmin = u.version::xid
                """, conn);
            update.Parameters.AddWithValue("ids", changed.Select(s => s.Id).ToArray());
            update.Parameters.AddWithValue("states", changed.Select(s => s.State.ToString()).ToArray());
            Texts(update, "ready_by", changed.Select(s => s.ReadyBy));
            Texts(update, "ready_by_name", changed.Select(s => s.ReadyByName));
            Times(update, "ready_at", changed.Select(s => s.ReadyAt));
            Times(update, "publish_at", changed.Select(s => s.PublishAt));
            Texts(update, "scheduled_by", changed.Select(s => s.PublishScheduledBy));
            Texts(update, "scheduled_by_name", changed.Select(s => s.PublishScheduledByName));
            Texts(update, "output_file", changed.Select(s => s.OutputFile));
            Times(update, "edited_at", changed.Select(s => s.EditedAt));
            Texts(update, "edited_by", changed.Select(s => s.EditedBy));
            Times(update, "updated_at", changed.Select(s => (DateTimeOffset?)s.UpdatedAt));
            update.Parameters.AddWithValue("versions", changed.Select(s => s.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
            try
            {
                if (await update.ExecuteNonQueryAsync(ct) != changed.Count)
                {
                    return false;
                }
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.ConstraintName == OutputNames.UniqueIndex)
            {
                // Another transaction took a chosen output name meanwhile: a conflict to retry.
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
        if (Unmerged.Count > 0)
        {
            await MergeUndo.WriteAsync(conn, actor, Unmerged, now, ct);
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
