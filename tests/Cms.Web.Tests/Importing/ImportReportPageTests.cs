using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Tests.Importing;

// The upload page's report: a kept revision is not an update, and the items are links.
public sealed class ImportReportPageTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private static async Task<string> UploadAsync(HttpClient client, params (string Name, string Text)[] files)
    {
        var page = await client.GetStringAsync("/Import");
        var form = new MultipartFormDataContent { { new StringContent(Http.AntiforgeryToken(page)), "__RequestVerificationToken" } };
        foreach (var (name, text) in files)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
            content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            form.Add(content, "Input.Files", name);
        }
        var response = await client.PostAsync("/Import", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static string Section(string html, string id) =>
        Regex.Match(html, $"""<ul class="imported-items small" id="{id}"[^>]*>(.*?)</ul>""", RegexOptions.Singleline).Groups[1].Value;

    [Fact]
    public async Task A_kept_revision_is_counted_apart_from_updates_and_every_item_is_a_link()
    {
        var untouched = new TestItem { Title = "Untouched " + Unique.Tag() };
        var edited = new TestItem { Title = "Edited " + Unique.Tag() };
        await ImportAsync(untouched, edited);
        await using (var db = TestPostgres.Context(ConnectionString))
        {
            // An editor has worked on this one: a changed source must wait as a revision.
            await db.Items.Where(i => i.OriginalUrl == edited.OriginalUrl).ExecuteUpdateAsync(s => s.SetProperty(i => i.EditedAt, DateTimeOffset.UtcNow));
        }
        var fresh = new TestItem { Title = "Fresh <b>" + Unique.Tag() };
        var editor = await SignedInAsync(Roles.Editor);

        var html = await UploadAsync(editor,
            ("001_a.txt", (untouched with { Excerpt = "changed at the source" }).ToYaml()),
            ("002_b.txt", (edited with { Excerpt = "changed at the source" }).ToYaml()),
            ("003_c.txt", fresh.ToYaml()),
            ("004_bad.txt", "---\ntitle: x\n---\n"));

        // The command line's summary line is unchanged: the revision is inside "updated 2".
        Assert.Contains("imported 1, updated 2, unchanged 0, rejected 1", html);
        Assert.Contains("""<dd class="col-sm-6" id="count-updated">1</dd>""", html);
        Assert.Contains("""<dd class="col-sm-6" id="count-revisions">1 """, html);
        Assert.Contains("""<dd class="col-sm-6" id="count-new">1</dd>""", html);
        Assert.Contains($"""<a href="/Items/Details/{ItemId(fresh)}">{WebUtility.HtmlEncode(fresh.Title)}</a>""", html);
        Assert.Contains($"/Items/Details/{ItemId(fresh)}\"", Section(html, "imported-new"));
        Assert.Contains($"/Items/Details/{ItemId(untouched)}\"", Section(html, "imported-updated"));
        Assert.DoesNotContain($"/Items/Details/{ItemId(edited)}\"", Section(html, "imported-updated"));
        Assert.Contains($"/Items/Details/{ItemId(edited)}\"", Section(html, "imported-revisions"));
        Assert.DoesNotContain("<b>", Section(html, "imported-new"));
    }
}
