using System.Text;
using Cms.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cms.Web.Tests.Browser;

// Items whose every string tries to run script, shown on every page an admin can open: no script
// dialog may open and the Content-Security-Policy may have nothing to block (a violation means
// markup got through that the encoder or the sanitizer should have stopped).
public sealed class HostileContentTourTests(BrowserFixture fixture) : BrowserTest(fixture), IClassFixture<BrowserFixture>
{
    private const string Script = "<script>alert('script')</script>";
    private const string Img = "<img src=x onerror=alert('img')>";
    private const string Svg = "\"><svg onload=alert('svg')>";
    private const string JsUrl = "javascript:alert('url')";

    [Fact]
    public Task A_visit_to_every_page_with_script_laden_items_opens_no_dialog_and_the_policy_blocks_nothing() => FlowAsync(async () =>
    {
        var tag = Unique.Tag();
        var main = new TestItem
        {
            Title = $"{Script}{Img}{Svg} headline {tag}",
            Excerpt = $"<p>{Img}</p><a href=\"{JsUrl}\">click</a>{Script}<p onclick=\"alert('click')\" style=\"color:red\">styled</p>{Svg}<iframe src=\"{JsUrl}\"></iframe>",
            ProviderName = $"{Script} provider",
            ProviderDomain = $"{Svg}.example",
            Category = "news",
            PublishedDateTime = DateTimeOffset.UtcNow,
            Quality = 40,
            Topics = [$"Topic {tag}"],
            Related =
            [
                ($"{Img} related", JsUrl),
                ($"{Svg} related", $"https://evil.example/{Svg}"),
                (Script, "data:text/html,<script>alert('data')</script>"),
            ],
        };
        // Fields the importer may refuse outright; whatever it keeps is shown on the pages too.
        var maybeRefused = new[]
        {
            new TestItem { Title = $"Category {tag}", Category = Svg, Topics = [$"{Img} {tag}", $"{Svg} {tag}"] },
            new TestItem { Title = $"Urls {tag}", OriginalUrl = $"https://news.example/{tag}/{Svg}", ExtraYaml = [$"webUrl: \"{JsUrl}\""] },
            new TestItem { Title = $"Secured {tag}", ExtraYaml = [$"secured: \"{Script};{Img}\""] },
        };
        await ImportAsync(main);
        foreach (var item in maybeRefused)
        {
            await Corpus.ImportAsync(Factory.Services, item.ToYaml());
        }
        var id = Fixture.ItemId(main);
        var page = await SignedInPageAsync(Roles.Admin);

        // The history and the audit trail get a hostile note; the import report a hostile file name.
        await page.GotoAsync($"{BaseUrl}/Items/Details/{id}");
        await page.GetByLabel("Quality (0-100)").FillAsync("41");
        await page.GetByLabel("Note (optional, kept in the audit trail)").FillAsync(Script + Img + Svg);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await ExpectTextAsync(page, "Saved.");
        await page.GotoAsync($"{BaseUrl}/Import");
        await page.Locator("input[type=file]").SetInputFilesAsync(new[]
        {
            new FilePayload { Name = $"{Svg}.txt", MimeType = "text/plain", Buffer = Encoding.UTF8.GetBytes($"---\ntitle: {Script}\n") },
            new FilePayload { Name = $"hostile-{tag}.txt", MimeType = "text/plain", Buffer = Encoding.UTF8.GetBytes((main with { Title = $"{Img} uploaded {tag}", OriginalUrl = $"https://news.example/up/{tag}" }).ToYaml()) },
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();
        await page.Locator("#report-heading").WaitForAsync();
        await page.GotoAsync($"{BaseUrl}/Topics");
        await page.Locator("#Create_Name").FillAsync(Svg + Script);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        var ids = Factory.WithDb(db => db.Items.Where(i => i.Title.Contains(tag)).Select(i => i.Id).ToList());
        var q = Uri.EscapeDataString(Svg + Script);
        string[] paths =
        [
            "/", $"/?View.Q={q}", $"/?View.Provider={q}&View.Topic={q}&View.Category={q}", $"/?View.Q={Uri.EscapeDataString(tag)}&View.State=New&View.State=Rejected",
            .. ids.SelectMany(i => new[] { $"/Items/Details/{i}", $"/Items/Details/{i}?handler=Source", $"/Items/Details/{i}?View.Q={q}" }),
            "/Import", "/Topics", "/Audit", $"/Audit?Filter.Item={id}", $"/Audit?Filter.Actor={q}",
            "/Admin/Users", $"/Admin/Users?Search={q}", "/Account/Manage", "/Account/Manage/Sessions", "/Account/Manage/ChangePassword",
            $"/Items/Details/999999999?x={q}", $"/nowhere/{q}",
        ];
        var visited = new List<string>();
        foreach (var path in paths)
        {
            var response = await page.GotoAsync(BaseUrl + path);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            visited.Add($"{path} {response?.Status}");
        }

        Assert.True(ids.Count >= 2, "the main item and the upload were imported");
        Assert.Contains(visited, v => v.StartsWith("/Items/Details/999999999", StringComparison.Ordinal) && v.EndsWith(" 404", StringComparison.Ordinal));
        Assert.True(visited.Count(v => v.EndsWith(" 200", StringComparison.Ordinal)) >= paths.Length - 2, string.Join("\n", visited));
        AssertNoScriptRanAndNothingWasBlocked();

        // The recorder works: a plain-http image, which the policy refuses, is reported.
        await page.EvaluateAsync("() => { const i = document.createElement('img'); i.src = 'http://127.0.0.1:9/probe.png'; document.body.append(i); }");
        await Eventually.HappensAsync(() =>
        {
            lock (CspViolations)
            {
                return CspViolations.Any(v => v.Contains("img-src", StringComparison.Ordinal) && v.Contains("probe.png", StringComparison.Ordinal));
            }
        }, "the probe image's CSP violation being reported");
    });
}
