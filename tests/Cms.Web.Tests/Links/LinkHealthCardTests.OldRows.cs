using Cms.Application;
using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Links;
using Cms.Data.Entities;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Tests.Links;

// REVIEW8 S1: URLs stored before the parser percent-encoded invisible and bidi characters (old
// related_links rows, old audit events, a moved link's address as the checker recorded it) are
// shown as every other URL shown as text is (Display.Url): ".../gone-\u202Efdp.exe" is never
// drawn as ".../gone-exe.pdf" on the broken-links page, in the history or as "now at".
public sealed partial class LinkHealthCardTests
{
    [Fact]
    public async Task Raw_bidi_urls_of_old_rows_are_shown_percent_encoded_on_the_broken_links_page_the_history_and_the_moved_card()
    {
        var tag = Unique.Tag();
        string Url(string name) => $"https://old-rows.example/{tag}/{name}";
        var item = new TestItem { Title = $"Old rows {tag}", Published = true, Related = [("Gone", Url("gone")), ("Moved", Url("moved"))] };
        await ImportAsync(item);
        var id = ItemId(item);
        Decide(id, Url("gone"), LinkDecision.Approved);
        var (rawGone, rawFinal, rawWeb) = (Url("gone-\u202Efdp.exe"), Url("new-\u202Efdp.exe"), Url("web-\u202Efdp.exe"));
        await CheckedAsync((Url("gone"), LinkHealth.Broken, null), (Url("moved"), LinkHealth.Moved, rawFinal));
        var gone = Url("gone");
        Factory.WithDb(db =>
        {
            db.RelatedLinks.Where(l => l.ItemId == id && l.Url == gone).ExecuteUpdate(u => u.SetProperty(l => l.Url, rawGone));
            AuditLog.Add(db, Actor.System("importer"), AuditActions.ItemTextReread, AuditTargets.Item, id.ToString(System.Globalization.CultureInfo.InvariantCulture), new
            {
                changes = new object[]
                {
                    new { field = "related", url = rawGone, title = "Gone", before = "pending", after = "approved" },
                    new { field = "webUrl", before = rawWeb, after = UrlRules.Shown(rawWeb) },
                },
            });
            return db.SaveChanges();
        });
        var publisher = await SignedInAsync(Roles.Publisher);

        var broken = Html.Parse(await publisher.GetStringAsync("/Links/Broken"));
        var details = Html.Parse(await publisher.GetStringAsync($"/Items/Details/{id}"));

        Assert.Equal(UrlRules.Shown(rawGone), broken.QuerySelectorAll("#broken-links tbody tr").Single(r => r.TextContent.Contains(tag)).One(".link-url").Text());
        Assert.Equal(Url("gone-%E2%80%AEfdp.exe"), UrlRules.Shown(rawGone));
        Assert.Equal(Url("new-%E2%80%AEfdp.exe"), details.One(".link-health a.link-final").Text());
        Assert.Contains(Url("gone-%E2%80%AEfdp.exe"), details.QuerySelectorAll("#history .history-link-url").Select(e => e.Text()));
        Assert.Equal(Url("web-%E2%80%AEfdp.exe"), details.One("#history tr[data-field=webUrl] td.before").Text());
        Assert.DoesNotContain('\u202E', broken.Body!.TextContent);
        Assert.DoesNotContain('\u202E', details.One("#history").TextContent);
        Assert.DoesNotContain('\u202E', details.One(".link-health").TextContent);
    }
}
