using System.Text;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Hostile;

// A row PostgreSQL refuses costs its own file, never the batch, and never the next run.
public sealed class DatabaseRefusalTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    // The parser accepts an originalUrl of up to 2,048 characters, but its normalized form is
    // percent-encoded: 2,000 random CJK characters become about 18,000 bytes, which the unique
    // index on items.original_url cannot hold (54000: index row size exceeds the btree maximum
    // of 2,704 bytes). Random, so compression cannot shrink it under the limit.
    private static string IndexBreakingItem()
    {
        var random = new Random(7);
        var path = new StringBuilder();
        for (var i = 0; i < 2_000; i++)
        {
            path.Append((char)random.Next(0x4E00, 0x9FFF));
        }
        return $"---\ntitle: \"Too wide for the index\"\noriginalUrl: \"https://wide.example/{Unique.Tag()}/{path}\"\n---\n";
    }

    [Fact]
    public async Task A_file_the_database_refuses_is_reported_by_name_the_rest_of_the_batch_commits_and_a_rerun_imports_nothing_twice()
    {
        using var corpus = new Corpus();
        var good = Enumerable.Range(0, 7).Select(_ => new TestItem()).ToList();
        for (var i = 0; i < good.Count; i++)
        {
            corpus.Write($"{i:D3}_good.txt", good[i].ToYaml());
        }
        corpus.Write("004_wide.txt", IndexBreakingItem());
        var urls = good.Select(g => g.OriginalUrl).ToList();
        using var scope = Factory.Services.CreateScope();

        var first = await Corpus.ImportPathsAsync(scope.ServiceProvider, corpus.Dir);
        var rerun = await Corpus.ImportPathsAsync(scope.ServiceProvider, corpus.Dir);

        Assert.Equal("imported 7, updated 0, unchanged 0, rejected 1", first.Summary);
        var problem = Assert.Single(first.Problems);
        Assert.EndsWith("004_wide.txt", problem.Path);
        Assert.Contains("refused by the database", problem.Reason);
        Assert.Contains("54000", problem.Reason);
        Assert.Equal("imported 0, updated 0, unchanged 7, rejected 1", rerun.Summary);
        Assert.Equal(7, Factory.WithDb(db => db.Items.Count(i => urls.Contains(i.OriginalUrl))));
        var events = Factory.WithDb(db => db.AuditEvents.Where(a => a.Action == "item.imported").Select(a => a.Data).ToList());
        Assert.Equal(7, events.Count(d => d!.Contains(corpus.Dir)));
    }

    [Fact]
    public async Task An_upload_with_a_file_the_database_refuses_imports_the_others()
    {
        var editor = await SignedInAsync(Roles.Editor);
        var good = new TestItem();

        var response = await Uploads.UploadAsync(editor, ("wide.txt", Uploads.File(IndexBreakingItem())), ("good.txt", Uploads.File(good.ToYaml())));

        var report = await Uploads.ReportAsync(response);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("imported 1, updated 0, unchanged 0, rejected 1", report);
        Assert.Contains("wide.txt: refused by the database", report);
        Assert.True(Factory.WithDb(db => db.Items.Any(i => i.OriginalUrl == good.OriginalUrl)));
    }
}
