using System.Text.RegularExpressions;
using Cms.Application.Queue;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Application.Tests;

// The editors' search and provider filter against real PostgreSQL text search. Each test imports
// items with its own tag in the title and looks only at those.
public sealed partial class QueueSearchTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private readonly string _tag = Unique.Tag();

    private async Task<List<string>> TitlesAsync(QueueView view)
    {
        var page = await app.RunAsync(s => s.GetRequiredService<QueueQuery>().PageAsync(view, CancellationToken.None));
        return page.Items.Where(r => r.Title.Contains(_tag, StringComparison.Ordinal)).Select(r => r.Title.Replace(" " + _tag, "")).Order().ToList();
    }

    private async Task ImportAsync(params TestItem[] items) => await app.ImportAsync([.. items.Select(i => (i with { Title = i.Title + " " + _tag }).ToYaml())]);

    [Theory]
    [InlineData("ставка", "Ставку повысили")]             // another form of the word (Russian stemming)
    [InlineData("ставки повысят", "Ставку повысили")]     // every word inflected differently
    [InlineData("Герман", "Германия и Франция")]          // the last word as a prefix
    [InlineData("германию", "Германия и Франция")]        // an inflected form of a name
    [InlineData("Франц", "Германия и Франция")]
    [InlineData("surge", "Solar surges")]                 // English stemming still works
    [InlineData("solar surg", "Solar surges")]            // and the prefix on an English last word
    [InlineData("Zürich", "Zürich wins")]                 // other Latin scripts word for word
    [InlineData("東京", "東京 news")]                      // and other scripts
    [InlineData("ставку Solar", "")]                      // every word must match
    [InlineData("Ге", "")]                                // two letters match only a whole word
    public async Task Search_finds_inflected_forms_and_a_prefix_of_the_last_word(string query, string expected)
    {
        await ImportAsync(
            new TestItem { Title = "Ставку повысили", Excerpt = "Центробанк поднял ключевую ставку." },
            new TestItem { Title = "Германия и Франция", Excerpt = "Переговоры в Берлине." },
            new TestItem { Title = "Solar surges", Excerpt = "Panels everywhere." },
            new TestItem { Title = "Zürich wins", Excerpt = "Football." },
            new TestItem { Title = "東京 news", Excerpt = "経済" });

        var titles = await TitlesAsync(new QueueView { Q = query });

        Assert.Equal(expected == "" ? [] : [expected], titles);
    }

    [Theory]
    [InlineData("cafe", "Café crème")]                     // accents folded in the query's absence
    [InlineData("café", "Café crème")]                     // and typed as they are
    [InlineData("creme caf", "Café crème")]                // folded in a prefix too
    [InlineData("sao paulo", "São Paulo floods")]
    [InlineData("Zurich", "Zürich wins")]
    [InlineData("تحلية", "مشروع لتحلية المياه")]           // the li- particle attached to the word
    [InlineData("المياه", "مشروع لتحلية المياه")]          // al- as before
    [InlineData("مياه", "مشروع لتحلية المياه")]
    [InlineData("Sao", "São Paulo floods")]
    public async Task Search_folds_accents_and_finds_Arabic_words_behind_attached_particles(string query, string expected)
    {
        await ImportAsync(
            new TestItem { Title = "Café crème", Excerpt = "Breakfast." },
            new TestItem { Title = "São Paulo floods", Excerpt = "Rain." },
            new TestItem { Title = "Zürich wins", Excerpt = "Football." },
            new TestItem { Title = "مشروع لتحلية المياه", Excerpt = "محطة جديدة" });

        var titles = await TitlesAsync(new QueueView { Q = query });

        Assert.Equal([expected], titles);
    }

    [Theory]
    [InlineData("'", false)]
    [InlineData("\\", false)]
    [InlineData("!!!", false)]
    [InlineData("' | '", false)]
    [InlineData("a | zzz", false)]                       // as an operator, | would match "a" alone
    [InlineData("!zzz", false)]                          // as an operator, ! would match everything without zzz
    [InlineData("a & | ! ( ) <-> :* b", true)]           // the words a and b, both in the excerpt
    public async Task Tsquery_syntax_in_a_search_is_text_not_an_operator(string query, bool found)
    {
        await ImportAsync(new TestItem { Title = "Operators", Excerpt = "a b" });

        // No syntax error from PostgreSQL; only the words count.
        var titles = await TitlesAsync(new QueueView { Q = query });

        Assert.Equal(found ? ["Operators"] : [], titles);
    }

    [Fact]
    public async Task Operators_around_words_are_dropped_and_the_words_still_match()
    {
        await ImportAsync(new TestItem { Title = "Ставку повысили" });

        Assert.Equal(["Ставку повысили"], await TitlesAsync(new QueueView { Q = "!ставка & (повысили):*" }));
    }

    [Theory]
    [InlineData("guardian", "Guardian story")]            // a word of the name, not its start
    [InlineData("GUARD", "Guardian story")]               // any case, by prefix
    [InlineData("the guardian", "Guardian story")]
    [InlineData("theguardian", "Guardian story")]         // the domain
    [InlineData("bbc", "BBC story")]
    [InlineData("bbc.co", "BBC story")]
    [InlineData("Новая", "Газета story")]
    [InlineData("газ", "Газета story")]
    [InlineData("bbc.com", "")]                           // every label typed must be there
    [InlineData("uardian", "")]                           // a prefix, not any substring
    [InlineData("%", "")]                                 // no LIKE or tsquery wildcards
    [InlineData("_", "")]
    [InlineData("*", "")]
    public async Task The_provider_filter_matches_the_start_of_any_word_of_the_name_or_label_of_the_domain(string provider, string expected)
    {
        await ImportAsync(
            new TestItem { Title = "Guardian story", ProviderName = "The Guardian", ProviderDomain = "theguardian.com" },
            new TestItem { Title = "BBC story", ProviderName = "BBC News", ProviderDomain = "www.bbc.co.uk" },
            new TestItem { Title = "Газета story", ProviderName = "Новая газета", ProviderDomain = "novayagazeta.ru" });

        var titles = await TitlesAsync(new QueueView { Provider = provider });

        Assert.Equal(expected == "" ? [] : [expected], titles);
    }

    [Theory]
    [InlineData("ставка Герман", "ix_items_search_vector")]
    [InlineData(null, "ix_items_provider_search")]
    public async Task Search_and_provider_filter_can_be_served_from_their_gin_indexes(string? q, string index)
    {
        await ImportAsync(new TestItem { Title = "Ставку Германия", ProviderName = "The Guardian" });

        var plan = await ExplainAsync(new QueueView { Q = q, Provider = q is null ? "guard" : null });

        Assert.True(plan.Contains(index), plan);
    }

    // Issue 23 Build 6: one stemmed form, the item's language (Russian for Cyrillic text, English
    // otherwise), beside 'simple'; the third to_tsvector cost a third of the vector. What it costs:
    // an accented Latin word in a Cyrillic item is not English-stemmed ("cafés" holds 'cafes' only,
    // no 'cafe'); a prefix search still finds it.
    [Theory]
    [InlineData("Ставку повысили", "Кафе и cafés закрыты", "russian_folded")]
    [InlineData("Crèmes and cafés", "Runners ran", "english_folded")]
    public async Task The_search_vector_is_stemmed_once_in_the_items_language_beside_simple(string title, string excerpt, string language)
    {
        await ImportAsync(new TestItem { Title = title, Excerpt = excerpt });

        var (stored, expected) = await app.RunAsync(async s =>
        {
            var db = s.GetRequiredService<CmsDbContext>();
            await db.Database.OpenConnectionAsync();
            await using var cmd = new NpgsqlCommand("""
                SELECT search_vector::text,
                       (to_tsvector(@language::regconfig, title || ' ' || excerpt) || to_tsvector('simple_folded', title || ' ' || excerpt))::text
                FROM items WHERE title = @title
                """, (NpgsqlConnection)db.Database.GetDbConnection());
            cmd.Parameters.AddWithValue("language", language);
            cmd.Parameters.AddWithValue("title", title + " " + _tag);
            await using var reader = await cmd.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            return (reader.GetString(0), reader.GetString(1));
        });

        Assert.Equal(expected, stored);
        // "cafe" typed last is a prefix, so the Russian item's 'cafes' is still found.
        Assert.Equal([title], await TitlesAsync(new QueueView { Q = "cafe" }));
    }

    [Fact]
    public void Words_are_letters_marks_and_digits_at_most_sixteen_of_at_most_a_hundred_characters()
    {
        Assert.Equal(["ставка", "Covid19", "e\u0301te", "bbc", "co"], QueueSearch.Words("  ставка: 'Covid19' & (e\u0301te) bbc.co "));
        Assert.Equal(16, QueueSearch.Words(string.Join(" ", Enumerable.Range(0, 40).Select(i => "w" + i))).Count);
        Assert.Equal(["short"], QueueSearch.Words(new string('x', 101) + " short"));
        Assert.Empty(QueueSearch.Words("'&|!():*<->\\ 😀"));
    }

    // EXPLAIN of the filter's condition alone with sequential scans off: can the GIN index serve it at
    // all (the operator and column as the index was built)? Which plan PostgreSQL prefers with the
    // queue's order and state depends on the data; at scale ./cms bench queue measures that.
    // (Which plan it prefers depends on the data; at scale that is measured by ./cms bench queue.)
    private Task<string> ExplainAsync(QueueView view) => app.RunAsync(async s =>
    {
        var db = s.GetRequiredService<CmsDbContext>();
        var query = (await s.GetRequiredService<QueueQuery>().FilterAsync(view, CancellationToken.None)).Select(i => i.Id);
        var sql = query.ToQueryString();
        await db.Database.OpenConnectionAsync();
        await db.Database.ExecuteSqlRawAsync("SET enable_seqscan = off");
        await using var cmd = new NpgsqlCommand("EXPLAIN " + Body(sql), (NpgsqlConnection)db.Database.GetDbConnection());
        foreach (Match p in Parameter().Matches(sql))
        {
            cmd.Parameters.AddWithValue(p.Groups[1].Value, p.Groups[2].Value);
        }
        var lines = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }
        return string.Join("\n", lines);
    });

    private static string Body(string sql) => string.Join("\n", sql.Split('\n').Where(l => !l.StartsWith("--", StringComparison.Ordinal)));

    // ToQueryString's parameter comments: "-- @name='value'".
    [GeneratedRegex(@"^-- @(\w+)='([^']*)'", RegexOptions.Multiline)]
    private static partial Regex Parameter();

    // REVIEW10 R10-7: the queue cuts a long title in SQL (substring counts code points), so a ZWJ family at
    // the 300th code point leaves "👨\u200D…" on the queue page: the shape R9-6 fixed in
    // UnicodeText.Clip, which the README says every title shown on a page goes through.
    [Fact]
    public async Task The_queues_cut_title_never_ends_in_a_joiner()
    {
        var tag = Unique.Tag();
        var lead = tag + " " + new string('a', QueueQuery.TitleChars - 2 - tag.Length - 1);
        await app.ImportAsync(new TestItem { Title = lead + "\U0001F468\u200D\U0001F469\u200D\U0001F467 family" }.ToYaml());

        var page = await app.RunAsync(s => s.GetRequiredService<QueueQuery>().PageAsync(new QueueView { Q = tag }, CancellationToken.None));
        var title = page.Items.Single(r => r.Title.StartsWith(tag, StringComparison.Ordinal)).Title;

        Assert.EndsWith("…", title);
        Assert.DoesNotContain("\u200D…", title, StringComparison.Ordinal);
    }
}
