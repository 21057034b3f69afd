using System.Net;
using System.Net.Http.Headers;
using System.Text;
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

    // The items one list of the report links to: their hrefs, and the list's markup.
    private static List<string> Links(string html, string id) =>
        Html.Parse(html).One($"ul.imported-items#{id}").QuerySelectorAll("a").Select(a => a.GetAttribute("href")!).ToList();

    private static string Section(string html, string id) => Html.Parse(html).One($"ul.imported-items#{id}").InnerHtml;

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
        var page = Html.Parse(html);
        // ...and explained right under it, beside "Updated from their source 1".
        Assert.Equal("“updated 2”: 1 from their source, 1 kept as a pending revision.", page.One("#import-summary-updated").TextContent);
        Assert.Equal("1", page.One("dd#count-updated").TextContent);
        Assert.StartsWith("1 ", page.One("dd#count-revisions").TextContent);
        Assert.Equal("1", page.One("dd#count-new").TextContent);
        Assert.Contains(page.QuerySelectorAll("a"), a => a.GetAttribute("href") == $"/Items/Details/{ItemId(fresh)}" && a.TextContent == fresh.Title);
        Assert.Contains($"/Items/Details/{ItemId(fresh)}", Links(html, "imported-new"));
        Assert.Contains($"/Items/Details/{ItemId(untouched)}", Links(html, "imported-updated"));
        Assert.DoesNotContain($"/Items/Details/{ItemId(edited)}", Links(html, "imported-updated"));
        Assert.Contains($"/Items/Details/{ItemId(edited)}", Links(html, "imported-revisions"));
        // The title's markup is text, not an element.
        Assert.Empty(page.One("ul.imported-items#imported-new").QuerySelectorAll("b"));
        Assert.DoesNotContain("<b>", Section(html, "imported-new"));
    }
}
