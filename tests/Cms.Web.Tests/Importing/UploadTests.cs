using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Cms.Data;
using Cms.Data.Entities;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Importing;

// Each upload carries URLs of its own, and the tests look only at the items with those URLs.
public sealed class UploadTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private readonly string _tag = Unique.Tag();

    private List<Item> ItemsAt(params string[] urls) => Factory.WithDb(db => db.Items.Where(i => urls.Contains(i.OriginalUrl)).ToList());

    private static ByteArrayContent File(string text)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        return content;
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, params (string Name, HttpContent Content)[] files)
    {
        var page = await client.GetStringAsync("/Import");
        var form = new MultipartFormDataContent { { new StringContent(Http.AntiforgeryToken(page)), "__RequestVerificationToken" } };
        foreach (var (name, content) in files)
        {
            form.Add(content, "Input.Files", name);
        }
        return await client.PostAsync("/Import", form);
    }

    [Fact]
    public async Task An_editor_uploads_files_and_a_zip_and_sees_the_report()
    {
        var editor = await SignedInAsync(Roles.Editor);
        var uploaded = $"https://e.com/a/{_tag}";
        var zipped = $"https://e.com/zip/{_tag}";
        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using (var entry = new StreamWriter(archive.CreateEntry("nested/002_b.txt").Open()))
            {
                await entry.WriteAsync(new TestItem { Title = "From the zip", OriginalUrl = zipped }.ToYaml());
            }
            await using (var bad = new StreamWriter(archive.CreateEntry("003_bad.txt").Open()))
            {
                await bad.WriteAsync("---\ntitle: x\n---\n");
            }
        }

        var response = await UploadAsync(editor,
            ("001_a.txt", File($"---\ntitle: \"<script>alert(1)</script>Uploaded\"\noriginalUrl: \"{uploaded}\"\n---\n")),
            ("items.zip", new ByteArrayContent(zip.ToArray())));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("imported 2, updated 0, unchanged 0, rejected 1", html);
        Assert.Contains("items.zip/003_bad.txt: line 2, column 1: field &#x27;originalUrl&#x27;: is required", html);
        var items = ItemsAt(uploaded, zipped);
        Assert.Equal(2, items.Count);
        var ids = items.Select(i => i.Id.ToString()).ToList();
        var actor = Factory.WithDb(db => db.AuditEvents.Where(a => a.Action == "item.imported" && ids.Contains(a.EntityId!)).Select(a => a.Actor).Distinct().Single());
        Assert.StartsWith("editor-", actor);
    }

    [Fact]
    public async Task An_upload_over_the_file_limit_is_refused_by_name_and_nothing_else_is_lost()
    {
        var editor = await SignedInAsync(Roles.Editor);
        var big = $"https://e.com/big/{_tag}";
        var ok = $"https://e.com/ok/{_tag}";

        var response = await UploadAsync(editor,
            ("big.txt", File($"---\ntitle: t\noriginalUrl: \"{big}\"\nexcerpt: \"" + new string('x', 1100 * 1024) + "\"\n---\n")),
            ("ok.txt", File(new TestItem { Title = "fine", OriginalUrl = ok }.ToYaml())));

        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("imported 1, updated 0, unchanged 0, rejected 1", html);
        Assert.Contains("big.txt: file is", html);
        Assert.Single(ItemsAt(big, ok).Select(i => i.Title), "fine");
    }

    [Fact]
    public async Task Anonymous_users_cannot_upload()
    {
        var response = await Factory.Browser().GetAsync("/Import");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/Login", response.Headers.Location!.PathAndQuery);
    }
}
