using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Security;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Cms.Core.Text;

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
    internal static string Shorten(string name) => UnicodeText.Clip(name, 40);

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
        var spellings = await CategorySpellingsAsync(wanted, ct);
        wanted.RemoveWhere(n => spellings.ContainsKey(CategoryNames.Key(n)));
        return wanted;
    }

    // The list's spelling of each name that is in it whatever its letter case, by CategoryNames.Key.
    public async Task<Dictionary<string, string>> CategorySpellingsAsync(IEnumerable<string> names, CancellationToken ct)
    {
        var keys = names.Select(CategoryNames.Key).Distinct().ToList();
        return keys.Count == 0
            ? []
            : await db.Categories.AsNoTracking().Where(c => keys.Contains(c.NormalizedName)).ToDictionaryAsync(c => c.NormalizedName, c => c.Name, ct);
    }

    // A category as the list spells it ("world" is stored as the list's "World"); a name not in the
    // list is returned cleaned, for the caller's own rule (refuse it, or keep the item's own).
    public async Task<string?> CategorySpellingAsync(string? name, CancellationToken ct) =>
        string.IsNullOrWhiteSpace(name) ? null : await db.Categories.SpellingAsync(name, ct) ?? UnicodeText.CleanName(name);

    public static string UnlistedCategory(string name) =>
        $"category: '{name}' is not in the list of categories yet, and adding one needs the {Permissions.ManageTopics} permission. Keep the item's category, or ask a publisher.";

    // An item's category under the import's rule, for a path other than the import (an accepted
    // source revision): the list's spelling whatever its letter case; a name not in the list joins
    // it as the import adds one (with its audit) when the actor may add to it, and is refused
    // otherwise; a name too long for the list stays off it, as the import leaves it. So an item's
    // stored category is always the list's spelling, and the queue filter (by that spelling) finds it.
    public async Task<Outcome<string?>> CategoryForItemAsync(Actor actor, string field, string? name, CancellationToken ct)
    {
        if (UnicodeText.CleanName(name ?? "") is not { Length: > 0 } clean)
        {
            return Outcome<string?>.Ok(null);
        }
        if (clean.Length > Importing.ImportWriter.CategoryColumnLength)
        {
            return Outcome<string?>.Ok(clean);
        }
        var key = CategoryNames.Key(clean);
        if ((await CategorySpellingsAsync([clean], ct)).GetValueOrDefault(key) is { } listed)
        {
            return Outcome<string?>.Ok(listed);
        }
        if (!actor.Can(Permissions.ManageTopics))
        {
            return Outcome.Invalid(field, UnlistedCategory(clean));
        }
        await EnsureCategoriesFromImportAsync(actor, [clean], ct);
        // Another writer may have listed a case twin meanwhile: its spelling is the one.
        return Outcome<string?>.Ok((await CategorySpellingsAsync([clean], ct)).GetValueOrDefault(key) ?? clean);
    }

    // The importer's batch with each category in the list's spelling, and names new to the list in
    // the spelling of their first file in the batch: the import never makes a case twin.
    // spellings: the list's spelling by CategoryNames.Key of the batch's categories (the importer
    // reads them in its batch's first round trip, ImportWriter.LockAndReadAsync); added to.
    public static List<Importing.PreparedItem> SpellCategories(IReadOnlyList<Importing.PreparedItem> batch, Dictionary<string, string> spellings) =>
        batch.Select(prepared =>
        {
            if (prepared.Parsed.Category is not { } category)
            {
                return prepared;
            }
            var spelling = spellings.TryAdd(CategoryNames.Key(category), category) ? category : spellings[CategoryNames.Key(category)];
            return spelling == category ? prepared : prepared with { Parsed = prepared.Parsed with { Category = spelling } };
        }).ToList();

    // The importer's path: many names at once, marked as from import, and (itemIds > 0) that many
    // item ids reserved, all in one statement: one round trip per batch (the topic upsert, the ids
    // of known and created topics, the item ids). Returns normalized name -> id and the item ids in
    // order. Audit events of created topics are added to the context for the caller to save (a
    // second round trip only when there is something to save). Without ManageTopics nothing is
    // created (the importer refuses such files before it gets here). storyIds > 0 reserves that
    // many new story ids in the same statement (the import with grouping off: each new item is a
    // story of its own), in order, as StoryGrouping.ReserveStoryIdsAsync would in a round trip.
    // categories, when given, join the list as EnsureCategoriesFromImportAsync would, in the same
    // round trip (a second statement of the batch).
    public async Task<(Dictionary<string, int> TopicIds, List<long> ItemIds, List<long> StoryIds)> EnsureFromImportAsync(
        Actor actor, IEnumerable<string> names, int itemIds, CancellationToken ct, int storyIds = 0, IEnumerable<string>? categories = null)
    {
        var wantedCategories = WantedCategories(actor, categories ?? []);
        var byNormalized = new Dictionary<string, string>();
        foreach (var name in names)
        {
            // Stored cleaned: the database keys the stored name, so it gives this key back.
            byNormalized.TryAdd(TopicNames.Normalize(name), UnicodeText.CleanName(name));
        }
        var topicIds = new Dictionary<string, int>(byNormalized.Count, StringComparer.Ordinal);
        var ids = new List<long>(itemIds);
        var stories = new List<long>(storyIds);
        if (byNormalized.Count == 0 && itemIds == 0 && storyIds == 0 && wantedCategories.Length == 0)
        {
            return (topicIds, ids, stories);
        }
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        var created = new List<(int Id, string Name)>();
        var createdCategories = new List<(int Id, string Name)>();
        // Known topics are read in the statement's snapshot, created ones come back from the
        // INSERT; kind 2 rows are the reserved item ids, kind 3 the story ids.
        var cmd = new NpgsqlBatchCommand(
            $$"""
            WITH created AS (
              INSERT INTO topics (name, from_import, created_at)
              SELECT n, true, now() FROM unnest(@names) AS t(n) WHERE @create
              ON CONFLICT (normalized_name) DO NOTHING
              RETURNING id, name, normalized_name
            )
            SELECT 0 AS kind, id::bigint, normalized_name, name FROM created
            UNION ALL
            SELECT 1, id, normalized_name, NULL FROM topics WHERE normalized_name = ANY(@normalized)
            UNION ALL
            SELECT 2, id, NULL, NULL FROM {{Importing.ItemCopy.NewItemIds}} AS ids
            UNION ALL
            SELECT 3, nextval('{{CmsDbContext.StoryIdSequence}}'), NULL, NULL FROM generate_series(1, @s)
            """);
        cmd.Parameters.AddWithValue("names", byNormalized.Values.ToArray());
        cmd.Parameters.AddWithValue("normalized", byNormalized.Keys.ToArray());
        cmd.Parameters.AddWithValue("create", actor.Can(Permissions.ManageTopics));
        cmd.Parameters.AddWithValue("n", itemIds);
        cmd.Parameters.AddWithValue("s", storyIds);
        await using (var batch = new NpgsqlBatch(conn) { BatchCommands = { cmd } })
        {
            if (wantedCategories.Length > 0)
            {
                batch.BatchCommands.Add(InsertCategories(wantedCategories));
            }
            await using var reader = await batch.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var kind = reader.GetInt32(0);
                if (kind >= 2)
                {
                    (kind == 2 ? ids : stories).Add(reader.GetInt64(1));
                    continue;
                }
                topicIds[reader.GetString(2)] = (int)reader.GetInt64(1);
                if (kind == 0)
                {
                    created.Add(((int)reader.GetInt64(1), reader.GetString(3)));
                }
            }
            if (wantedCategories.Length > 0)
            {
                await reader.NextResultAsync(ct);
                await ReadCreatedCategoriesAsync(reader, createdCategories, ct);
            }
        }
        AuditCreatedCategories(actor, createdCategories);
        ids.Sort();
        stories.Sort();
        // A topic another transaction committed while this statement waited on its name is in
        // neither branch's snapshot: read it again (rare; the next statement sees it).
        var late = byNormalized.Keys.Where(k => !topicIds.ContainsKey(k)).ToList();
        if (late.Count > 0)
        {
            foreach (var t in await db.Topics.AsNoTracking().Where(t => late.Contains(t.NormalizedName)).Select(t => new { t.NormalizedName, t.Id }).ToListAsync(ct))
            {
                topicIds[t.NormalizedName] = t.Id;
            }
        }
        foreach (var (id, name) in created)
        {
            AuditLog.Add(db, actor, AuditActions.TopicCreated, AuditTargets.Topic, id.ToString(), new { name, fromImport = true });
        }
        return (topicIds, ids, stories);
    }

    // Categories the pipeline uses join the managed list, under the same rule as topics.
    public async Task EnsureCategoriesFromImportAsync(Actor actor, IEnumerable<string> names, CancellationToken ct)
    {
        var wanted = WantedCategories(actor, names);
        if (wanted.Length == 0)
        {
            return;
        }
        var created = new List<(int Id, string Name)>();
        await using (var insert = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection()) { BatchCommands = { InsertCategories(wanted) } })
        {
            await using var reader = await insert.ExecuteReaderAsync(ct);
            await ReadCreatedCategoriesAsync(reader, created, ct);
        }
        AuditCreatedCategories(actor, created);
    }

    private static string[] WantedCategories(Actor actor, IEnumerable<string> names) =>
        actor.Can(Permissions.ManageTopics) ? names.Distinct(StringComparer.Ordinal).ToArray() : [];

    private static NpgsqlBatchCommand InsertCategories(string[] names) =>
        new("INSERT INTO categories (name, from_import) SELECT unnest($1), true ON CONFLICT DO NOTHING RETURNING id, name") { Parameters = { new() { Value = names } } };

    private static async Task ReadCreatedCategoriesAsync(NpgsqlDataReader reader, List<(int Id, string Name)> created, CancellationToken ct)
    {
        while (await reader.ReadAsync(ct))
        {
            created.Add((reader.GetInt32(0), reader.GetString(1)));
        }
    }

    private void AuditCreatedCategories(Actor actor, List<(int Id, string Name)> created)
    {
        foreach (var (id, name) in created)
        {
            AuditLog.Add(db, actor, AuditActions.CategoryCreated, AuditTargets.Category, id.ToString(), new { name, fromImport = true });
        }
    }
}
