using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Security;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cms.Application.Topics;

// Turning topic names into topics: the one place where a topic (or an imported category) may be
// created, with its permission check and its audit event, for the item page, bulk actions, the
// topics page and import. One rule everywhere: creating one needs ManageTopics.
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
    internal static string Shorten(string name) => name.Length <= 40 ? name : name[..40] + "…";

    // The importer asks before it writes: names (normalized) that are not topics yet.
    public async Task<HashSet<string>> UnknownTopicsAsync(IEnumerable<string> names, CancellationToken ct)
    {
        var wanted = names.Select(TopicNames.Normalize).ToHashSet(StringComparer.Ordinal);
        var list = wanted.ToList();
        var known = await db.Topics.AsNoTracking().Where(t => list.Contains(t.NormalizedName)).Select(t => t.NormalizedName).ToListAsync(ct);
        wanted.ExceptWith(known);
        return wanted;
    }

    public async Task<HashSet<string>> UnknownCategoriesAsync(IEnumerable<string> names, CancellationToken ct)
    {
        var wanted = names.ToHashSet(StringComparer.Ordinal);
        var list = wanted.ToList();
        var known = await db.Categories.AsNoTracking().Where(c => list.Contains(c.Name)).Select(c => c.Name).ToListAsync(ct);
        wanted.ExceptWith(known);
        return wanted;
    }

    // The importer's path: many names at once, created in one statement, marked as from import.
    // Returns normalized name -> id. Audit events are added to the context for the caller to save.
    // Without ManageTopics nothing is created (the importer refuses such files before it gets here).
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
        if (actor.Can(Permissions.ManageTopics))
        {
            await CreateMissingAsync(conn, byNormalized, created, ct);
        }
        foreach (var (id, name) in created)
        {
            AuditLog.Add(db, actor, AuditActions.TopicCreated, AuditTargets.Topic, id.ToString(), new { name, fromImport = true });
        }
        var keys = byNormalized.Keys.ToList();
        return await db.Topics.AsNoTracking().Where(t => keys.Contains(t.NormalizedName))
            .ToDictionaryAsync(t => t.NormalizedName, t => t.Id, ct);
    }

    private static async Task CreateMissingAsync(NpgsqlConnection conn, Dictionary<string, string> byNormalized, List<(int Id, string Name)> created, CancellationToken ct)
    {
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
    }

    // Categories the pipeline uses join the managed list, under the same rule as topics.
    public async Task EnsureCategoriesFromImportAsync(Actor actor, IEnumerable<string> names, CancellationToken ct)
    {
        var wanted = names.Distinct(StringComparer.Ordinal).ToArray();
        if (wanted.Length == 0 || !actor.Can(Permissions.ManageTopics))
        {
            return;
        }
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        var created = new List<(int Id, string Name)>();
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO categories (name, from_import) SELECT unnest(@names), true ON CONFLICT (name) DO NOTHING RETURNING id, name", conn))
        {
            insert.Parameters.AddWithValue("names", wanted);
            await using var reader = await insert.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                created.Add((reader.GetInt32(0), reader.GetString(1)));
            }
        }
        foreach (var (id, name) in created)
        {
            AuditLog.Add(db, actor, AuditActions.CategoryCreated, AuditTargets.Category, id.ToString(), new { name, fromImport = true });
        }
    }
}
