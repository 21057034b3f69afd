using Cms.Application.Importing;
using Cms.Application.Queue;
using Cms.Core.Auditing;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

public sealed class ImportAndQueueTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    [Fact]
    public async Task An_actor_without_the_import_permission_is_refused_and_nothing_is_imported()
    {
        var title = $"Refused {Guid.NewGuid():N}";
        var file = ImportSources.FromBytes("refused.txt", System.Text.Encoding.UTF8.GetBytes(new TestItem { Title = title }.ToYaml()));

        var outcome = await app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Nobody, [file], null, CancellationToken.None));

        Assert.Equal(OutcomeStatus.Forbidden, outcome.Result.Status);
        Assert.False(app.Read(db => db.Items.Any(i => i.Title == title)));
        Assert.True(app.Read(db => db.AuditEvents.Any(a => a.Action == AuditActions.AuthorizationRefused && a.Actor == "nobody@example.com")));
    }

    // New files go in by COPY and untouched items are updated through EF: both must store the same
    // row for the same source, which holds only while both use the one ItemRows mapping.
    [Fact]
    public async Task A_file_stored_by_copy_and_the_same_file_applied_as_an_update_give_the_same_row()
    {
        var source = new TestItem { Title = "Mapped once", Topics = ["AI"], Related = [("One", "https://a.example/1"), ("Two", "ftp://b.example/2")], Category = "news", Quality = 61 };
        var copied = (await app.ImportAsync(source.ToYaml()))[0];
        var other = source with { OriginalUrl = source.OriginalUrl + "-other" };
        var updated = (await app.ImportAsync((other with { Title = "Placeholder", Quality = 3, Topics = [] }).ToYaml()))[0];
        await app.ImportAsync(other.ToYaml());

        object Row(long id) => app.Read(db => db.Items.AsNoTracking().Where(i => i.Id == id).Select(i => new
        {
            i.Title, i.Excerpt, i.Category, i.Type, i.ProviderName, i.ProviderDomain, i.PublishedAt, i.WebUrl, i.Quality, i.Heat, i.State,
            i.ImagesJson, i.SourceChanged, i.EditedAt,
            Links = string.Join("|", i.RelatedLinks.OrderBy(l => l.Position).Select(l => $"{l.Position} {l.Title} {l.Url} {l.IsSafeUrl} {l.Decision} {l.Reason}")),
            Topics = string.Join("|", i.Topics.OrderBy(t => t.Position).Select(t => t.Topic!.Name)),
        }).Single());
        Assert.Equal(Row(copied), Row(updated));
    }

    // A new file's front matter goes to the COPY as the bytes read (IMPORT12): stored, it is the
    // file's text byte for byte, whatever its script, and its hash is that text's.
    [Fact]
    public async Task A_copied_files_stored_source_is_its_front_matter_and_its_hash_is_that_texts()
    {
        var file = new TestItem { Title = "Правительство 🎉 مرحبا 東京", Excerpt = "Ünïcödé \u2028 text" }.ToYaml();
        var frontMatter = file["---\n".Length..file.LastIndexOf("---\n", StringComparison.Ordinal)];

        var id = (await app.ImportAsync(file))[0];

        var stored = app.Read(db => db.Items.AsNoTracking().Where(i => i.Id == id).Select(i => new { i.SourceYaml, i.SourceHash }).Single());
        Assert.Equal(frontMatter, stored.SourceYaml);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(frontMatter))), stored.SourceHash);
    }

    // The partial indexes of the default queue are usable only while the query writes the same
    // predicate they were built with (ItemQueue, one definition for both).
    [Fact]
    public async Task The_default_queue_page_can_be_served_from_the_partial_queue_index()
    {
        await app.ImportAsync(new TestItem().ToYaml());
        var plan = await app.RunAsync(async s =>
        {
            var db = s.GetRequiredService<CmsDbContext>();
            var sql = QueueQuery.WithState(db.Items.AsNoTracking(), new QueueView())
                .OrderByDescending(i => i.PublishedAt).ThenByDescending(i => i.Id).Take(51).Select(i => i.Id).ToQueryString();
            await db.Database.OpenConnectionAsync();
            await db.Database.ExecuteSqlRawAsync("SET enable_seqscan = off; SET enable_sort = off; SET enable_bitmapscan = off");
            var conn = db.Database.GetDbConnection();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "EXPLAIN " + Inline(sql);
            var lines = new List<string>();
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
            return string.Join("\n", lines);
        });

        Assert.True(plan.Contains("ix_items_queue_date"), plan);
    }

    // ToQueryString declares parameters as "-- @p='51'" comments; put their values in place.
    private static string Inline(string sql)
    {
        var lines = sql.Split('\n');
        var body = string.Join("\n", lines.Where(l => !l.StartsWith("--", StringComparison.Ordinal)));
        foreach (var match in lines.Select(l => System.Text.RegularExpressions.Regex.Match(l, "^-- (@\\w+)='([^']*)'")).Where(m => m.Success))
        {
            body = System.Text.RegularExpressions.Regex.Replace(body, match.Groups[1].Value + "\\b", match.Groups[2].Value);
        }
        return body;
    }
}
