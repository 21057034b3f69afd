using Cms.Core.Links;
using Cms.Data.Entities;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Links;

// Each related link's card shows what the link checker found (matched by the normalized URL):
// ok, moved with the URL it moved to, broken, blocked; nothing when it was never checked.
public sealed class LinkHealthCardTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private static LinkCheck Check(string url, LinkHealth status, string? finalUrl = null, int? http = null) => new()
    {
        Url = LinkRules.Key(url)!,
        Status = status.ToString(),
        HttpStatus = http,
        FinalUrl = finalUrl,
        CheckedAt = DateTimeOffset.UtcNow,
        NextAt = DateTimeOffset.UtcNow.AddDays(7),
        PendingUrl = url,
        PendingHost = new Uri(url).Host,
        PendingMethod = "HEAD",
    };

    [Fact]
    public async Task The_card_shows_ok_moved_with_its_new_url_broken_and_blocked_and_nothing_for_an_unchecked_link()
    {
        var tag = Unique.Tag();
        string Url(string name) => $"https://outlet.example/{tag}/{name}";
        var item = new TestItem { Related = [("Fine", Url("ok")), ("Moved", Url("moved")), ("Gone", Url("gone")), ("Walled", Url("walled")), ("New", Url("new"))] };
        await ImportAsync(item);
        Factory.WithDb(db =>
        {
            // The checker keys by the normalized URL: a differently written URL of the same page matches.
            db.LinkChecks.AddRange(
                Check(Url("ok").Replace("https://outlet.example", "https://OUTLET.example"), LinkHealth.Ok, http: 200),
                Check(Url("moved"), LinkHealth.Moved, finalUrl: "https://outlet.example/new-home", http: 301),
                Check(Url("gone"), LinkHealth.Broken, http: 404),
                Check(Url("walled"), LinkHealth.Blocked, http: 403));
            return db.SaveChanges();
        });
        var editor = await SignedInAsync(Roles.Editor);

        var page = Html.Parse(await editor.GetStringAsync($"/Items/Details/{ItemId(item)}"));

        var cards = page.QuerySelectorAll(".related-link").ToDictionary(c => c.QuerySelector("a")!.Text(), c => c);
        Assert.Equal("ok", cards["Fine"].One(".link-health .badge").Text());
        Assert.Equal("moved", cards["Moved"].One(".link-health .badge").Text());
        Assert.Equal("https://outlet.example/new-home", cards["Moved"].One(".link-health a.link-final").GetAttribute("href"));
        Assert.Equal("broken", cards["Gone"].One(".link-health .badge").Text());
        Assert.Equal("blocked", cards["Walled"].One(".link-health .badge").Text());
        Assert.Null(cards["New"].QuerySelector(".link-health"));
    }
}
