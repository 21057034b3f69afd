using System.Data.Common;
using System.Globalization;
using System.Linq.Expressions;
using System.Text.Json;
using Cms.Application.Topics;
using Cms.Core.Items;
using Cms.Core.Text;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;

namespace Cms.Application.Queue;

// Turns a QueueView into queries: the queue page, next/previous on the item page, bulk actions
// and the queue benchmark all use this one definition of "the items in this view".
public sealed class QueueQuery(CmsDbContext db, QueueCountOptions countOptions)
{
    public const int PageSize = 50;
    public const int TitleChars = 300;

    // A title as read for a list that shows TitleChars of it: a few more code points than shown, so
    // the clip in C# sees where the last whole cluster ends (the inbox and the digest read this too).
    public const int TitleRead = TitleChars + 16;

    private static List<Row> Clipped(List<Row> rows)
    {
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Title.Length > TitleChars)
            {
                rows[i] = rows[i] with { Title = UnicodeText.Clip(rows[i].Title, TitleChars) };
            }
        }
        return rows;
    }

    public sealed record Row(long Id, string Title, string? ProviderName, string? Category, DateTimeOffset? PublishedAt, int? Quality, int? Heat, WorkflowState State, bool SourceChanged, int Undecided, DateTimeOffset? PublishAt = null, string? AssignedTo = null)
    {
        // When the item arrived (its import).
        public DateTimeOffset ReceivedAt { get; init; }
        public long StoryId { get; init; }
    }

    // The rest of a row's story in the one-row-per-story view: how many other items, and from whom
    // (the first few providers by name).
    public sealed record StoryMore(int Count, IReadOnlyList<string> Providers);

    public const int MoreProviders = 3;

    // NextCursor and PreviousCursor are the View.After and View.Before of the neighbouring pages;
    // IsFirst: no row of the view comes before this page. More: by row id, in the one-row-per-story view.
    public sealed record Page(IReadOnlyList<Row> Items, string? NextCursor, string? PreviousCursor, bool IsFirst, IReadOnlyDictionary<long, StoryMore>? More = null);

    public async Task<Page> PageAsync(QueueView view, CancellationToken ct)
    {
        var page = await RowsPageAsync(view, ct);
        return view.Stories && page.Items.Count > 0 ? page with { More = await MoreAsync(view, page.Items, ct) } : page;
    }

    // For each row, the other items of its story in the view's states (the other filters narrow
    // which stories are shown, not what a story holds).
    private async Task<IReadOnlyDictionary<long, StoryMore>> MoreAsync(QueueView view, IReadOnlyList<Row> rows, CancellationToken ct)
    {
        var stories = rows.Select(r => r.StoryId).Distinct().ToList();
        var shown = rows.Select(r => r.Id).ToList();
        var others = InStates(db.Items.AsNoTracking(), view).Where(i => stories.Contains(i.StoryId) && !shown.Contains(i.Id));
        var counts = await others.GroupBy(i => i.StoryId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var providers = (await others.Select(i => new { i.StoryId, Name = i.ProviderName ?? i.ProviderDomain }).Where(p => p.Name != null)
                .Distinct().OrderBy(p => p.StoryId).ThenBy(p => p.Name).Take(PageSize * 20).ToListAsync(ct))
            .ToLookup(p => p.StoryId, p => p.Name!);
        return rows.Where(r => counts.ContainsKey(r.StoryId))
            .ToDictionary(r => r.Id, r => new StoryMore(counts[r.StoryId], providers[r.StoryId].Take(MoreProviders).ToList()));
    }

    private async Task<Page> RowsPageAsync(QueueView view, CancellationToken ct)
    {
        IQueryable<Item>? filtered = null;
        if (Cursor.Parse(view.Before, view.Sort) is { } before)
        {
            // Backwards: the rows just above the cursor, read in ascending order, then turned round.
            filtered = WithState(await FilterAsync(view, ct), view);
            var above = await Rows(OrderAscending(Before(filtered, view, before), view.Sort).Take(PageSize + 1)).ToListAsync(ct);
            if (above.Count > PageSize)
            {
                above.RemoveAt(PageSize);
                above.Reverse();
                return new Page(Clipped(above), CursorOf(view, above[^1]), CursorOf(view, above[0]), IsFirst: false);
            }
            // Less than a page above the cursor: that is the first page, shown whole below.
        }
        var after = view.Before is null ? Cursor.Parse(view.After, view.Sort) : null;
        var rows = after is null && IsPlain(view)
            ? await PlainFirstPageAsync(ct)
            : await Rows(Order(After(filtered ?? WithState(await FilterAsync(view, ct), view), view, after), view.Sort).Take(PageSize + 1)).ToListAsync(ct);
        var next = rows.Count > PageSize ? CursorOf(view, rows[PageSize - 1]) : null;
        if (rows.Count > PageSize)
        {
            rows.RemoveAt(PageSize);
        }
        // After a cursor there are rows above this page (at least the cursor's own row).
        var previous = after is not null && rows.Count > 0 ? CursorOf(view, rows[0]) : null;
        return new Page(Clipped(rows), next, previous, IsFirst: after is null);
    }

    // A page shows at most TitleChars of a title; no more than TitleRead leaves the database, and
    // the cut is UnicodeText.Clip's, in C# (Clipped): substring in SQL counts code points and could
    // end in "👨\u200D" (REVIEW10 R10-7). The assignee by their current name. Written once over a
    // context: this query's, or the compiled query's parameter.
    private static readonly Expression<Func<CmsDbContext, Item, Row>> RowOf = (db, i) =>
        new Row(i.Id, i.Title.Length > TitleRead ? i.Title.Substring(0, TitleRead) : i.Title, i.ProviderName, i.Category, i.PublishedAt, i.Quality, i.Heat, i.State, i.SourceChanged,
            i.RelatedLinks.Count(l => l.Decision == LinkDecision.Pending), i.PublishAt,
            db.ItemAssignments.Where(a => a.ItemId == i.Id).Join(db.Users, a => a.UserId, u => u.Id, (a, u) => u.UserName).FirstOrDefault()) { ReceivedAt = i.ImportedAt, StoryId = i.StoryId };

    private static Expression<Func<Item, Row>> RowOver(Expression context) =>
        Expression.Lambda<Func<Item, Row>>(ReplacingExpressionVisitor.Replace(RowOf.Parameters[0], context, RowOf.Body), RowOf.Parameters[1]);

    private IQueryable<Row> Rows(IQueryable<Item> q) => q.Select(RowOver(Expression.Constant(db)));

    // The queue's default view (no filter, the review queue's states, by date), first page: the page
    // most requests read. Its query is compiled once, so a request skips building the LINQ tree and
    // EF's per-call preparation of it (docs/benchmarks.md, "Queue at a million items, 8 clients:
    // compiled default page"). It is built from the same WithState, Order and row projection as
    // every other view, over a stand-in for `db.Items`, so it cannot drift from them.
    private static readonly QueueView PlainView = new();

    private static bool IsPlain(QueueView view) =>
        view.State.Count == 0 && !view.Stories && view.Sort == PlainView.Sort && !HasFilters(view);

    private static readonly Func<CmsDbContext, IAsyncEnumerable<Row>> PlainFirstPage = CompilePlainFirstPage();

    private static Func<CmsDbContext, IAsyncEnumerable<Row>> CompilePlainFirstPage()
    {
        var db = Expression.Parameter(typeof(CmsDbContext), "db");
        // EnumerableQuery only records the operators applied to it; EF compiles the recorded tree.
        var items = new EnumerableQuery<Item>(Expression.Property(db, nameof(CmsDbContext.Items)));
        var rows = Order(WithState(items, PlainView), PlainView.Sort).Take(PageSize + 1).Select(RowOver(db));
        return EF.CompileAsyncQuery(Expression.Lambda<Func<CmsDbContext, IQueryable<Row>>>(rows.Expression, db));
    }

    private async Task<List<Row>> PlainFirstPageAsync(CancellationToken ct)
    {
        var rows = new List<Row>(PageSize + 1);
        await foreach (var row in PlainFirstPage(db).WithCancellation(ct))
        {
            rows.Add(row);
        }
        return rows;
    }

    // The first page's query as PageAsync runs it, and the counts' capped read: for EXPLAIN in the benchmark.
    public async Task<IQueryable<Row>> FirstPageQueryAsync(QueueView view, CancellationToken ct) =>
        Rows(Order(WithState(await FilterAsync(view, ct), view), view.Sort).Take(PageSize + 1));

    public async Task<IQueryable<object>> CountQueryAsync(QueueView view, CancellationToken ct) =>
        QueueCounts.Grouped(QueueCounts.Capped(await FilterAsync(view, ct)));

    // "N new items" for a view: items of the view that arrived after the page showed `since` (the
    // newest id then), counted up to QueueCounts.Cap + 1, so the answer is exact or "more than".
    public async Task<int> ArrivedSinceAsync(QueueView view, long since, CancellationToken ct) =>
        await WithState(await FilterAsync(view, ct), view).Where(i => i.Id > since).Take(QueueCounts.Cap + 1).CountAsync(ct);

    public async Task<long> NewestIdAsync(CancellationToken ct) => await db.Items.MaxAsync(i => (long?)i.Id, ct) ?? 0;

    private static string CursorOf(QueueView view, Row row) => Cursor.Of(view.Sort, row.Id, row.PublishedAt, row.Quality, row.Heat, row.ReceivedAt);

    // The managed category list: the queue's filter and the item page's choice.
    public async Task<IReadOnlyList<string>> CategoriesAsync(CancellationToken ct) =>
        await db.Categories.AsNoTracking().OrderBy(c => c.Name).Select(c => c.Name).ToListAsync(ct);

    // The topic names offered as suggestions (the queue's filters, the item page's topics box).
    public const int VocabularySize = 2000;

    public async Task<IReadOnlyList<string>> TopicNamesAsync(CancellationToken ct) =>
        await db.Topics.AsNoTracking().OrderBy(t => t.Name).Select(t => t.Name).Take(VocabularySize).ToListAsync(ct);

    // What the queue page reads besides its rows: the category list, the topic suggestions, the
    // newest id, the state totals (kept for CountsAsync), the person's saved views (SavedViews.VisibleSql)
    // and their unread count for the navigation bar (Inbox.UnreadSql), in ONE round trip. They were six
    // queries of well under a millisecond each, but at a million items and 8 clients every round
    // trip (EF's query pipeline, the network, PostgreSQL's parse and plan) counted in a page whose
    // own SQL is two small reads (docs/benchmarks.md, "Queue at a million items, 8 clients").
    // Category: the view's category in the list's spelling (as typed when the list lacks it), the
    // one the filter uses, so the page shows it chosen whatever case it was typed in (REVIEW12 R12-8).
    public sealed record PageLists(IReadOnlyList<string> Categories, IReadOnlyList<string> Vocabulary, long Newest, string SavedViewsJson, int Unread, string? Category);

    private static readonly string PageListsSql = $"""
        SELECT ARRAY(SELECT name FROM categories ORDER BY name),
               ARRAY(SELECT name FROM topics ORDER BY name LIMIT {VocabularySize}),
               COALESCE((SELECT max(id) FROM items), 0),
               ({TotalsSql}),
               ({SavedViews.VisibleSql}),
               ({Notifications.Inbox.UnreadSql}),
               ({TopicIdsSql})
        """;

    // The ids of the topics the view filters by (@topics: normalized names), read with the lists so
    // a topic filter costs no round trip of its own (TopicIdsAsync then finds them remembered).
    private const string TopicIdsSql = "SELECT coalesce(json_object_agg(normalized_name, id), '{}')::text FROM topics WHERE normalized_name = ANY(@topics)";

    public async Task<PageLists> PageListsAsync(Actor actor, QueueView view, CancellationToken ct) =>
        await ReadOneAsync(PageListsSql, r =>
        {
            _totals = ParseTotals(r.IsDBNull(3) ? null : r.GetString(3));
            using (var topics = JsonDocument.Parse(r.GetString(6)))
            {
                foreach (var topic in topics.RootElement.EnumerateObject())
                {
                    _topicIds[topic.Name] = topic.Value.GetInt32();
                }
            }
            var categories = r.GetFieldValue<string[]>(0);
            _categoriesByKey = new(StringComparer.Ordinal);
            foreach (var category in categories)
            {
                _categoriesByKey.TryAdd(CategoryNames.Key(category), category);
            }
            var chosen = string.IsNullOrWhiteSpace(view.Category) ? view.Category : _categoriesByKey.GetValueOrDefault(CategoryNames.Key(view.Category), view.Category);
            return new PageLists(categories, r.GetFieldValue<string[]>(1), r.GetInt64(2), r.GetString(4), r.GetInt32(5), chosen);
        }, ct, ("me", actor.UserId ?? ""), ("roles", actor.Roles.ToArray()), ("topics", TopicsOf(view).ToArray()));

    // The normalized names of the topics a view filters by.
    private static List<string> TopicsOf(QueueView view) => view.Topic.Where(t => !string.IsNullOrWhiteSpace(t)).Select(TopicNames.Normalize).Distinct().ToList();

    // Per-state counts of the view with every filter except the state filter (QueueCounts).
    public async Task<StateCounts> CountsAsync(QueueView view, CancellationToken ct)
    {
        var totals = await TotalsAsync(ct);
        if (!HasFilters(view))
        {
            return new StateCounts(totals.ToDictionary(t => t.Key, t => new StateCount(t.Value, CountKind.Exact)));
        }
        return await QueueCounts.FilteredAsync(db, countOptions, view, await FilterAsync(view, ct), totals, ct);
    }

    // The states a view shows: those ticked, or the review queue.
    public static IReadOnlyList<WorkflowState> StatesOf(QueueView view) => view.State.Count == 0 ? Workflow.QueueStates : view.State;

    // How many items a whole view holds (a saved view's count), as honest as its state counts.
    public async Task<StateCount> TotalAsync(QueueView view, CancellationToken ct) => (await CountsAsync(view, ct)).Sum(StatesOf(view).Distinct());

    // The topics a view filters by that are not topics (any more): merged away, renamed, or typed
    // wrong. The view then matches nothing for "all", and the page says why instead of just "empty".
    public async Task<IReadOnlyList<string>> MissingTopicsAsync(QueueView view, CancellationToken ct)
    {
        var names = view.Topic.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).DistinctBy(TopicNames.Normalize).ToList();
        if (names.Count == 0)
        {
            return [];
        }
        var known = await TopicIdsAsync(names.Select(TopicNames.Normalize).ToList(), ct);
        return names.Where(n => !known.ContainsKey(TopicNames.Normalize(n))).ToList();
    }

    // Which of these normalized names are topics: one query for those this scope has not read yet
    // (the saved views' check shares the page's reads).
    public async Task<IReadOnlySet<string>> KnownTopicsAsync(IReadOnlyCollection<string> normalized, CancellationToken ct) =>
        (await TopicIdsAsync(normalized, ct)).Keys.ToHashSet(StringComparer.Ordinal);

    // Topic ids by normalized name, remembered for the scope (a request): the page's missing-topics
    // check, its counts and its rows, and each saved view, filter by the same few topics. Only names
    // found are remembered, so a topic created later in the same scope is still found.
    private readonly Dictionary<string, int> _topicIds = [];

    private async Task<Dictionary<string, int>> TopicIdsAsync(IReadOnlyCollection<string> normalized, CancellationToken ct)
    {
        var unknown = normalized.Where(n => !_topicIds.ContainsKey(n)).ToList();
        if (unknown.Count > 0)
        {
            foreach (var topic in await db.Topics.AsNoTracking().Where(t => unknown.Contains(t.NormalizedName)).Select(t => new { t.NormalizedName, t.Id }).ToListAsync(ct))
            {
                _topicIds[topic.NormalizedName] = topic.Id;
            }
        }
        return normalized.Where(_topicIds.ContainsKey).ToDictionary(n => n, n => _topicIds[n]);
    }

    // Every item of the view (its states, its order), at most `limit`: "select all N matching this
    // view" for bulk actions. The caller refuses a view with more than it can take.
    public async Task<IReadOnlyList<long>> IdsAsync(QueueView view, int limit, CancellationToken ct) =>
        await Order(WithState(await FilterAsync(view, ct), view), view.Sort).Select(i => i.Id).Take(limit).ToListAsync(ct);

    // The trigger-maintained totals per state: exact, one tiny read (the folded counts plus the
    // deltas not folded yet, StateCountFolding), as a JSON object {"New": 123, ...}. Read once per
    // scope (a request): the page's counts and each saved view's count share it.
    private const string TotalsSql = """
        SELECT json_object_agg(state, total)::text FROM (
            SELECT state, sum(count) AS total FROM (
                SELECT state, count FROM item_state_counts UNION ALL SELECT state, delta FROM item_state_count_deltas) c
            GROUP BY state) t
        """;

    private Dictionary<WorkflowState, long>? _totals;

    private async Task<Dictionary<WorkflowState, long>> TotalsAsync(CancellationToken ct) =>
        _totals ??= await ReadOneAsync(TotalsSql, r => ParseTotals(r.IsDBNull(0) ? null : r.GetString(0)), ct);

    private static Dictionary<WorkflowState, long> ParseTotals(string? json)
    {
        var totals = new Dictionary<WorkflowState, long>();
        if (json is null)
        {
            return totals;
        }
        using var parsed = JsonDocument.Parse(json);
        foreach (var state in parsed.RootElement.EnumerateObject())
        {
            if (Enum.TryParse<WorkflowState>(state.Name, out var known))
            {
                totals[known] = state.Value.GetInt64();
            }
        }
        return totals;
    }

    // One row of a statement EF cannot express (several lists in one SELECT), on the context's
    // connection and transaction.
    private async Task<T> ReadOneAsync<T>(string sql, Func<DbDataReader, T> read, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = sql;
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            foreach (var (name, value) in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value;
                command.Parameters.Add(parameter);
            }
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return read(reader);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public const int CountCap = QueueCounts.Cap;

    public static bool HasFilters(QueueView view) =>
        !string.IsNullOrWhiteSpace(view.Category) || !string.IsNullOrWhiteSpace(view.Provider)
        || view.Topic.Any(t => !string.IsNullOrWhiteSpace(t)) || view.QualityMin is not null || view.QualityMax is not null
        || view.From is not null || view.To is not null || view.ReceivedFrom is not null || view.ReceivedTo is not null || view.Undecided || view.SourceChanged || !string.IsNullOrWhiteSpace(view.Q)
        || !string.IsNullOrWhiteSpace(view.Assignee) || view.MultiStory || view.BrokenLinks;

    // The item after (or before) the given one in the view's order, for next/previous and save-and-next.
    public async Task<long?> NeighbourAsync(QueueView view, long itemId, bool next, CancellationToken ct)
    {
        var cursor = await CursorAtAsync(view, itemId, ct);
        return cursor is null ? null : await NeighbourAsync(view, cursor, next, ct);
    }

    // Both neighbours, reading the item's position once (the item page).
    public async Task<(long? Previous, long? Next)> NeighboursAsync(QueueView view, long itemId, CancellationToken ct)
    {
        var cursor = await CursorAtAsync(view, itemId, ct);
        return cursor is null ? (null, null) : (await NeighbourAsync(view, cursor, next: false, ct), await NeighbourAsync(view, cursor, next: true, ct));
    }

    private async Task<Cursor?> CursorAtAsync(QueueView view, long itemId, CancellationToken ct)
    {
        var current = await db.Items.AsNoTracking().Where(i => i.Id == itemId)
            .Select(i => new { i.Id, i.PublishedAt, i.Quality, i.Heat, i.ImportedAt }).SingleOrDefaultAsync(ct);
        return current is null ? null : Cursor.Parse(Cursor.Of(view.Sort, current.Id, current.PublishedAt, current.Quality, current.Heat, current.ImportedAt), view.Sort)!;
    }

    private async Task<long?> NeighbourAsync(QueueView view, Cursor cursor, bool next, CancellationToken ct)
    {
        var filtered = WithState(await FilterAsync(view, ct), view);
        if (next)
        {
            return await Order(After(filtered, view, cursor), view.Sort).Select(i => (long?)i.Id).FirstOrDefaultAsync(ct);
        }
        return await OrderAscending(Before(filtered, view, cursor), view.Sort).Select(i => (long?)i.Id).FirstOrDefaultAsync(ct);
    }

    // The category filter in the list's spelling, whatever the letter case typed or saved in a view
    // ("world" finds the items of "World"; CategoryNames): items carry the list's spelling, so the
    // filter stays one equality on the category indexes. The queue page has the whole list from its
    // statement of lists (PageListsAsync), so the page and its saved views' counts look it up there
    // at no round trip; elsewhere (next/previous, bulk actions) one lookup per request.
    private Dictionary<string, string>? _categoriesByKey;
    private readonly Dictionary<string, string> _categorySpellings = new(StringComparer.Ordinal);

    private async Task<string> CategorySpellingAsync(string typed, CancellationToken ct)
    {
        if (_categoriesByKey is { } list)
        {
            return list.GetValueOrDefault(CategoryNames.Key(typed), typed);
        }
        if (!_categorySpellings.TryGetValue(typed, out var spelling))
        {
            spelling = await db.Categories.SpellingAsync(typed, ct) ?? typed;
            _categorySpellings[typed] = spelling;
        }
        return spelling;
    }

    public async Task<IQueryable<Item>> FilterAsync(QueueView view, CancellationToken ct)
    {
        var q = db.Items.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(view.Category))
        {
            var category = await CategorySpellingAsync(view.Category, ct);
            q = q.Where(i => i.Category == category);
        }
        if (!string.IsNullOrWhiteSpace(view.Provider))
        {
            q = QueueSearch.ByProvider(q, view.Provider);
        }
        var topics = TopicsOf(view);
        if (topics.Count > 0)
        {
            var ids = (await TopicIdsAsync(topics, ct)).Values.ToList();
            if (view.TopicMode == "all")
            {
                if (ids.Count < topics.Count)
                {
                    return q.Where(_ => false);
                }
                foreach (var id in ids)
                {
                    q = q.Where(i => db.ItemTopics.Any(t => t.ItemId == i.Id && t.TopicId == id));
                }
            }
            else
            {
                q = q.Where(i => db.ItemTopics.Any(t => t.ItemId == i.Id && ids.Contains(t.TopicId)));
            }
        }
        if (view.QualityMin is { } min)
        {
            q = q.Where(i => i.Quality >= min);
        }
        if (view.QualityMax is { } max)
        {
            q = q.Where(i => i.Quality <= max);
        }
        if (view.From is { } from)
        {
            var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            q = q.Where(i => i.PublishedAt >= start);
        }
        if (view.To is { } to)
        {
            var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            q = q.Where(i => i.PublishedAt < end);
        }
        if (view.ReceivedFrom is { } receivedFrom)
        {
            var start = new DateTimeOffset(receivedFrom.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            q = q.Where(i => i.ImportedAt >= start);
        }
        if (view.ReceivedTo is { } receivedTo)
        {
            var end = new DateTimeOffset(receivedTo.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            q = q.Where(i => i.ImportedAt < end);
        }
        if (view.Undecided)
        {
            q = q.Where(i => i.RelatedLinks.Any(l => l.Decision == LinkDecision.Pending));
        }
        if (view.SourceChanged)
        {
            q = q.Where(i => i.SourceChanged);
        }
        if (!string.IsNullOrWhiteSpace(view.Assignee))
        {
            q = q.Where(i => db.ItemAssignments.Any(a => a.ItemId == i.Id && a.UserId == view.Assignee));
        }
        if (!string.IsNullOrWhiteSpace(view.Q))
        {
            q = QueueSearch.ByText(q, view.Q);
        }
        if (view.BrokenLinks)
        {
            q = Links.BrokenLinks.WithBrokenLinks(db, q);
        }
        if (view.MultiStory)
        {
            var queue = Workflow.QueueStates.ToList();
            q = q.Where(i => db.Items.Any(o => o.StoryId == i.StoryId && o.Id != i.Id && queue.Contains(o.State)));
        }
        return q;
    }

    // The default (no state chosen) is the review queue, with the predicate its partial indexes use.
    // One row per story: an item is shown unless another item of its story in the view is newer
    // (a later date, or the same date and a larger id; no date counts as oldest).
    public static IQueryable<Item> WithState(IQueryable<Item> q, QueueView view)
    {
        var stated = InStates(q, view);
        return view.Stories
            ? stated.Where(i => !stated.Any(o => o.StoryId == i.StoryId && o.Id != i.Id
                && ((o.PublishedAt != null && i.PublishedAt == null) || o.PublishedAt > i.PublishedAt || (o.PublishedAt == i.PublishedAt && o.Id > i.Id))))
            : stated;
    }

    private static IQueryable<Item> InStates(IQueryable<Item> q, QueueView view) =>
        view.State.Count == 0 ? q.Where(ItemQueue.Predicate) : q.Where(i => view.State.Contains(i.State));

    // Descending, NULLs first (PostgreSQL's order for DESC), ties broken by id.
    private static IQueryable<Item> Order(IQueryable<Item> q, string sort) => sort switch
    {
        "quality" => q.OrderByDescending(i => i.Quality).ThenByDescending(i => i.Id),
        "heat" => q.OrderByDescending(i => i.Heat).ThenByDescending(i => i.Id),
        "received" => q.OrderByDescending(i => i.ImportedAt).ThenByDescending(i => i.Id),
        _ => q.OrderByDescending(i => i.PublishedAt).ThenByDescending(i => i.Id),
    };

    private static IQueryable<Item> OrderAscending(IQueryable<Item> q, string sort) => sort switch
    {
        "quality" => q.OrderBy(i => i.Quality).ThenBy(i => i.Id),
        "heat" => q.OrderBy(i => i.Heat).ThenBy(i => i.Id),
        "received" => q.OrderBy(i => i.ImportedAt).ThenBy(i => i.Id),
        _ => q.OrderBy(i => i.PublishedAt).ThenBy(i => i.Id),
    };

    // Rows strictly after the cursor in the descending order.
    private static IQueryable<Item> After(IQueryable<Item> q, QueueView view, Cursor? c)
    {
        if (c is null)
        {
            return q;
        }
        var id = c.Id;
        switch (view.Sort)
        {
            case "quality":
            {
                var v = c.IntValue;
                return v is null
                    ? q.Where(i => (i.Quality == null && i.Id < id) || i.Quality != null)
                    : q.Where(i => i.Quality != null && (i.Quality < v || (i.Quality == v && i.Id < id)));
            }
            case "heat":
            {
                var v = c.IntValue;
                return v is null
                    ? q.Where(i => (i.Heat == null && i.Id < id) || i.Heat != null)
                    : q.Where(i => i.Heat != null && (i.Heat < v || (i.Heat == v && i.Id < id)));
            }
            case "received":
            {
                // Never NULL: every item has arrived.
                var v = c.DateValue!.Value;
                return q.Where(i => i.ImportedAt < v || (i.ImportedAt == v && i.Id < id));
            }
            default:
            {
                var v = c.DateValue;
                return v is null
                    ? q.Where(i => (i.PublishedAt == null && i.Id < id) || i.PublishedAt != null)
                    : q.Where(i => i.PublishedAt != null && (i.PublishedAt < v || (i.PublishedAt == v && i.Id < id)));
            }
        }
    }

    // Rows strictly before the cursor in the descending order (so: after it, ascending).
    private static IQueryable<Item> Before(IQueryable<Item> q, QueueView view, Cursor c)
    {
        var id = c.Id;
        switch (view.Sort)
        {
            case "quality":
            {
                var v = c.IntValue;
                return v is null
                    ? q.Where(i => i.Quality == null && i.Id > id)
                    : q.Where(i => i.Quality == null || i.Quality > v || (i.Quality == v && i.Id > id));
            }
            case "heat":
            {
                var v = c.IntValue;
                return v is null
                    ? q.Where(i => i.Heat == null && i.Id > id)
                    : q.Where(i => i.Heat == null || i.Heat > v || (i.Heat == v && i.Id > id));
            }
            case "received":
            {
                var v = c.DateValue!.Value;
                return q.Where(i => i.ImportedAt > v || (i.ImportedAt == v && i.Id > id));
            }
            default:
            {
                var v = c.DateValue;
                return v is null
                    ? q.Where(i => i.PublishedAt == null && i.Id > id)
                    : q.Where(i => i.PublishedAt == null || i.PublishedAt > v || (i.PublishedAt == v && i.Id > id));
            }
        }
    }

    // "value_id": the sort key of the last row seen and its id; value "null" when the key is NULL.
    // Parse checks the value fits the sort (an int for quality and heat, UTC ticks in range for the
    // date), so a hand-made cursor is refused instead of overflowing.
    public sealed record Cursor(string? Value, long Id)
    {
        public int? IntValue => Value is null ? null : int.Parse(Value, CultureInfo.InvariantCulture);

        public DateTimeOffset? DateValue => Value is null ? null : new DateTimeOffset(long.Parse(Value, CultureInfo.InvariantCulture), TimeSpan.Zero);

        public static string Of(string sort, long id, DateTimeOffset? publishedAt, int? quality, int? heat, DateTimeOffset? receivedAt = null)
        {
            var value = sort switch
            {
                "quality" => quality?.ToString(CultureInfo.InvariantCulture),
                "heat" => heat?.ToString(CultureInfo.InvariantCulture),
                "received" => receivedAt?.UtcTicks.ToString(CultureInfo.InvariantCulture),
                _ => publishedAt?.UtcTicks.ToString(CultureInfo.InvariantCulture),
            };
            return $"{value ?? "null"}_{id}";
        }

        public static Cursor? Parse(string? cursor, string sort)
        {
            var parts = cursor?.Split('_');
            if (parts is not { Length: 2 } || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return null;
            }
            if (parts[0] == "null")
            {
                // Every item has a received date: a null one is a hand-made cursor.
                return sort == "received" ? null : new Cursor(null, id);
            }
            var fits = sort is "quality" or "heat"
                ? int.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
                : long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks <= DateTimeOffset.MaxValue.UtcTicks;
            return fits ? new Cursor(parts[0], id) : null;
        }
    }
}
