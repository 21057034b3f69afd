using System.Net;
using Cms.Application.Items;
using Cms.Application.Links;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Links;
using Cms.Data.Entities;
using Cms.Web.Tests.Infrastructure;
using Cms.Testing;
using Cms.Web.Tests.Items;
using Cms.Web.Tests.Stories;
using Cms.Web.Tests.Workflow;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Links;

// "Use the new URL" against what comes after it (a source revision still listing the old address)
// and against addresses no related link may have.
public sealed partial class LinkHealthCardTests
{
    // The item page's "Use the new URL" button of the (only) moved link, posted.
    private async Task<HttpResponseMessage> UseTheNewUrlAsync(HttpClient editor, long id)
    {
        var html = await editor.GetStringAsync($"/Items/Details/{id}");
        var button = Html.Parse(html).One(".related-link .replace-url");
        return await editor.PostAsync($"/Items/Details/{id}?handler=ReplaceLink", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Http.AntiforgeryToken(html),
            ["Replace.Version"] = Html.Parse(html).One("#replace-link-form input[name='Replace.Version']").GetAttribute("value")!,
            [button.GetAttribute("name")!] = button.GetAttribute("value")!,
        }));
    }

    // An item whose first link ("Moving", old) the checker found moved to `moved`, and a second one.
    private async Task<(TestItem Item, long Id, string Old, string Moved, string Staying, string Tag)> MovedLinkAsync()
    {
        var tag = Unique.Tag();
        var (old, moved, staying) = ($"https://moving.example/{tag}/old", $"https://moving.example/{tag}/new-home", $"https://staying.example/{tag}");
        var item = new TestItem { Related = [("Moving", old), ("Staying", staying)] };
        await ImportAsync(item);
        await CheckedAsync((old, LinkHealth.Moved, moved));
        return (item, ItemId(item), old, moved, staying, tag);
    }

    [Fact]
    public async Task A_source_revision_still_listing_a_replaced_url_keeps_the_replacement_in_its_place_and_does_not_bring_the_old_url_back()
    {
        var (item, id, old, moved, staying, tag) = await MovedLinkAsync();
        var third = $"https://third.example/{tag}";
        var editor = await SignedInAsync(Roles.Editor);
        Assert.Equal(HttpStatusCode.Redirect, (await UseTheNewUrlAsync(editor, id)).StatusCode);
        Decide(id, moved, LinkDecision.Approved);

        // The outlet adds a link; its list still names the old address first.
        await Corpus.ImportAsync(Factory.Services, (item with { Related = [("Moving", old), ("Staying", staying), ("Third", third)] }).ToYaml());
        Assert.Equal(HttpStatusCode.Redirect, (await LinkIdentityPageTests.AcceptNothingTickedAsync(editor, id, "related")).StatusCode);

        var links = Factory.WithDb(db => db.RelatedLinks.AsNoTracking().Where(l => l.ItemId == id).OrderBy(l => l.Position).ToList());
        Assert.Equal([(moved, LinkDecision.Approved, (string?)old), (staying, LinkDecision.Pending, null), (third, LinkDecision.Pending, null)],
            links.Select(l => (l.Url, l.Decision, l.ReplacesUrl)));
        Assert.Equal([0, 1, 2], links.Select(l => l.Position));
        var accepted = Factory.WithDb(db => db.AuditEvents.Where(a => a.EntityId == id.ToString() && a.Action == AuditActions.ItemRevisionAccepted)
            .Select(a => a.Payload).Single());
        // The audit names what the source added: the third link only, never the replaced address.
        var added = System.Text.Json.JsonDocument.Parse(accepted).RootElement.GetProperty("data").GetProperty("changes").EnumerateArray()
            .Where(c => c.TryGetProperty("what", out var what) && what.GetString() == RevisionFields.AddedBySource)
            .Select(c => c.GetProperty("url").GetString()).ToList();
        Assert.Equal([third], added);
    }

    [Fact]
    public async Task A_revision_that_changes_nothing_but_the_excerpt_does_not_show_the_replaced_link_as_a_change_and_one_dropping_its_entry_removes_it()
    {
        var (item, id, _, moved, staying, tag) = await MovedLinkAsync();
        var editor = await SignedInAsync(Roles.Editor);
        Assert.Equal(HttpStatusCode.Redirect, (await UseTheNewUrlAsync(editor, id)).StatusCode);

        await Corpus.ImportAsync(Factory.Services, (item with { Excerpt = "Corrected " + tag }).ToYaml());

        Assert.Equal(["excerpt"], await ChangedFieldsAsync(id));

        // REVIEW5 #7: once the source drops the old address, the comparison shows that entry removed,
        // and accepting it removes the replacement standing for it (what the editor reviewed), audited.
        Assert.Equal(HttpStatusCode.Redirect, (await LinkIdentityPageTests.AcceptNothingTickedAsync(editor, id, "excerpt")).StatusCode);
        await Corpus.ImportAsync(Factory.Services, (item with { Excerpt = "Corrected " + tag, Related = [("Staying", staying)] }).ToYaml());
        Assert.Equal(["related"], await ChangedFieldsAsync(id));
        Assert.Equal(HttpStatusCode.Redirect, (await LinkIdentityPageTests.AcceptNothingTickedAsync(editor, id, "related")).StatusCode);
        Assert.Equal([staying], Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == id).OrderBy(l => l.Position).Select(l => l.Url!).ToList()));
        var accepted = Factory.WithDb(db => db.AuditEvents.Where(a => a.EntityId == id.ToString() && a.Action == AuditActions.ItemRevisionAccepted)
            .OrderByDescending(a => a.Id).Select(a => a.Payload).First());
        var removed = System.Text.Json.JsonDocument.Parse(accepted).RootElement.GetProperty("data").GetProperty("changes").EnumerateArray()
            .Where(c => c.TryGetProperty("what", out var what) && what.GetString() == RevisionFields.RemovedBySource)
            .Select(c => c.GetProperty("url").GetString()).ToList();
        Assert.Equal([moved], removed);
        await Corpus.ImportAsync(Factory.Services, (item with { Excerpt = "Corrected again " + tag, Related = [("Staying", staying)] }).ToYaml());
        Assert.Equal(["excerpt"], await ChangedFieldsAsync(id));
    }

    [Fact]
    public async Task An_approved_new_url_and_a_merged_link_are_written_in_the_order_the_item_page_showed_them()
    {
        var (_, id, _, moved, staying, tag) = await MovedLinkAsync();
        var other = new TestItem { Title = $"Harbour reopens, another telling {tag}" };
        await ImportAsync(other);
        var otherId = ItemId(other);
        Factory.WithDb(db => db.Items.Where(i => i.Id == otherId)
            .ExecuteUpdate(u => u.SetProperty(i => i.StoryId, db.Items.Single(lead => lead.Id == id).StoryId)));
        var editor = await SignedInAsync(Roles.Editor);
        Assert.Equal(HttpStatusCode.Redirect, (await UseTheNewUrlAsync(editor, id)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await StoryForms.MergeAsync(editor, id, otherId)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await StoryForms.ReviewAsync(Factory, editor, id, WorkflowAction.MarkReady,
            (moved, LinkDecision.Approved), (staying, LinkDecision.Approved), (other.OriginalUrl, LinkDecision.Approved))).StatusCode);
        // What the editor reviewed: the new address where the old one was, the merged link last.
        var shown = Html.Parse(await editor.GetStringAsync($"/Items/Details/{id}")).QuerySelectorAll("#edit-form .related-link .link-url")
            .Select(e => e.TextContent.Trim()).ToList();
        Assert.Equal([moved, staying, other.OriginalUrl], shown);

        Assert.Equal(HttpStatusCode.Redirect, (await Moves.PostAsync(await SignedInAsync(Roles.Publisher), id, WorkflowAction.Publish)).StatusCode);
        var file = Path.Combine(Factory.PublishFolder, Factory.WithDb(db => db.Items.Single(i => i.Id == id).OutputFile!));
        await Eventually.HappensAsync(() => File.Exists(file), "the worker writing the published file");

        // Read back by a YAML reader that is not the CMS's.
        var written = new YamlDotNet.Serialization.DeserializerBuilder().Build()
            .Deserialize<Dictionary<string, object>>(YamlReaders.FrontMatter(await File.ReadAllTextAsync(file)));
        var related = ((List<object>)written["related"]).Cast<Dictionary<object, object>>().Select(r => (string)r["webUrl"]).ToList();
        Assert.Equal(shown, related);
    }

    private async Task<List<string>> ChangedFieldsAsync(long id)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var comparison = await scope.ServiceProvider.GetRequiredService<SourceRevisions>().CompareAsync(id, CancellationToken.None);
        return comparison!.Rows.Select(r => r.Field).ToList();
    }

    [Theory]
    [InlineData("cjk", "is too long to be a related link")]
    [InlineData("ascii", "is 2,136 characters, over the limit of 2,048; it cannot be a related link")]
    public async Task Use_the_new_url_refuses_an_address_no_related_link_may_have(string kind, string reason)
    {
        var tag = Unique.Tag();
        var old = $"https://moving.example/{tag}/old";
        // 1,900 CJK characters are within 2,048 characters but nine bytes each once percent-encoded;
        // 2,100 ASCII ones are over the importer's limit for any URL.
        var final = $"https://moving.example/{tag}/" + (kind == "cjk"
            ? new string(Enumerable.Range(0, 1900).Select(i => (char)(0x4E00 + i % 5000)).ToArray())
            : new string('a', 2100));
        var item = new TestItem { Related = [("Moving", old)] };
        await ImportAsync(item);
        var id = ItemId(item);
        await CheckedAsync((old, LinkHealth.Moved, final));
        var editor = await SignedInAsync(Roles.Editor);

        var response = await UseTheNewUrlAsync(editor, id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(reason, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
        Assert.Equal([old], Factory.WithDb(db => db.RelatedLinks.Where(l => l.ItemId == id).Select(l => l.Url!).ToList()));
    }
}
