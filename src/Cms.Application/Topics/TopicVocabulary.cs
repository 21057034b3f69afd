using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Security;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cms.Application.Topics;

// Turning topic names into topics: the one place where a topic may be created, with its permission
// check and its audit event, for the item page, bulk actions, the topics page and import.
public sealed class TopicVocabulary(CmsDbContext db)
{
    public const string UnknownTopicHint = "Ask a publisher to create it.";

    // Known topics by name; unknown ones are created when the actor may manage topics, otherwise
    // refused. Created topics are saved (with their audit events) in the caller's transaction.
    public async Task<Outcome<List<Topic>>> ResolveAsync(Actor actor, string field, IReadOnlyList<string> names, CancellationToken ct)
    {
        var problems = names.Select(n => TopicNames.TryClean(n, out _, out var problem) ? null : $"Topic '{Shorten(n)}' {problem}.")
            .OfType<string>().ToList();
        if (problems.Count > 0)
        {
            return Outcome.Invalid(problems.Select(p => new FieldError(field, p)).ToList());
        }
        var normalized = names.Select(TopicNames.Normalize).Distinct().ToList();
        var known = await db.Topics.Where(t => normalized.Contains(t.NormalizedName)).ToListAsync(ct);
        var missing = names.Where(n => known.All(k => k.NormalizedName != TopicNames.Normalize(n)))
            .DistinctBy(TopicNames.Normalize).ToList();
        if (missing.Count > 0 && !actor.Can(Permissions.ManageTopics))
        {
            return Outcome.Invalid(field, $"Unknown topic: {string.Join(", ", missing)}. {UnknownTopicHint}");
        }
        foreach (var name in missing)
        {
            known.Add(await CreateAsync(actor, name, fromImport: false, ct));
        }
        return Outcome<List<Topic>>.Ok(names.Select(n => known.First(k => k.NormalizedName == TopicNames.Normalize(n))).ToList());
    }

    // The name must have passed TopicNames.TryClean.
    public async Task<Topic> CreateAsync(Actor actor, string name, bool fromImport, CancellationToken ct)
    {
        TopicNames.TryClean(name, out var clean, out _);
        var topic = Topic.Create(clean ?? throw new ArgumentException("not a valid topic name", nameof(name)), fromImport);
        db.Topics.Add(topic);
        await db.SaveChangesAsync(ct);
        AuditLog.Add(db, actor, AuditActions.TopicCreated, AuditTargets.Topic, topic.Id.ToString(), new { name = topic.Name, fromImport });
        return topic;
    }

    // Enough of a refused name to recognise it, escaped by whoever renders it.
    private static string Shorten(string name) => name.Length <= 40 ? name : name[..40] + "…";

    // The importer's path: many names at once, created in one statement, marked as from import.
    // Returns normalized name -> id. Audit events are added to the context for the caller to save.
    public async Task<Dictionary<string, int>> EnsureFromImportAsync(Actor actor, IEnumerable<string> names, CancellationToken ct)
    {
        var byNormalized = new Dictionary<string, string>();
        foreach (var name in names)
        {
            byNormalized.TryAdd(TopicNames.Normalize(name), name.Trim());
        }
        if (byNormalized.Count == 0)
        {
            return [];
        }
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        var created = new List<(int Id, string Name)>();
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO topics (name, normalized_name, from_import, created_at)
            SELECT n, nn, true, now() FROM unnest(@names, @normalized) AS t(n, nn)
            ON CONFLICT (normalized_name) DO NOTHING
            RETURNING id, name
            """, conn))
        {
            insert.Parameters.AddWithValue("names", byNormalized.Values.ToArray());
            insert.Parameters.AddWithValue("normalized", byNormalized.Keys.ToArray());
            await using var reader = await insert.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                created.Add((reader.GetInt32(0), reader.GetString(1)));
            }
        }
        foreach (var (id, name) in created)
        {
            AuditLog.Add(db, actor, AuditActions.TopicCreated, AuditTargets.Topic, id.ToString(), new { name, fromImport = true });
        }
        var keys = byNormalized.Keys.ToList();
        return await db.Topics.AsNoTracking().Where(t => keys.Contains(t.NormalizedName))
            .ToDictionaryAsync(t => t.NormalizedName, t => t.Id, ct);
    }
}
