using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Cms.Application;
using Cms.Application.Delivery;
using Cms.Application.Publishing;
using Cms.Core.Auditing;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Web.Tests.Infrastructure;
using Cms.Web.Tests.Workflow;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Stories;

// Grouping off (each test sets its stories) and no publishing worker in the background: the tests
// run the folder worker themselves, so a file exists exactly when they wrote it.
public sealed class MergedLinkFixture : WorkflowFixture
{
    protected override IReadOnlyDictionary<string, string?>? Settings => new Dictionary<string, string?>
    {
        ["Stories:Grouping"] = "false",
        ["Publishing:Worker"] = "false",
    };

    public async Task<T> RunAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }
}

// A link added by a merge crossed with publishing and delivery, over HTTP as the newsroom works:
// approved, it is written in the published file (read back by the CMS's reader, PyYAML and a YAML
// 1.2 reader alike) and delivered by the API exactly like a source link; pending or rejected, never.
// Reopen of the merged item keeps a decided link, and a source revision that lists the same URL
// keeps its decision (the link is its URL, LinkIdentity).
public sealed class MergedLinkPublishingTests(MergedLinkFixture fixture) : WebTest(fixture), IClassFixture<MergedLinkFixture>
{
    private sealed record Story(long Lead, long B, long C, TestItem LeadItem, TestItem BItem, TestItem CItem, string Source)
    {
        // b's and c's links as a merge of both adds them: in the order of the items' ids.
        public (string Url, LinkDecision Decision)[] Merged((string, LinkDecision) b, (string, LinkDecision) c) => B < C ? [b, c] : [c, b];
    }

    // A lead with one source link and two other tellings of its story by other outlets.
    private async Task<Story> StoryAsync()
    {
        var tag = Unique.Tag();
        var source = $"https://alpha-source.example/{tag}";
        TestItem Telling(string outlet, int hour, params (string, string)[] related) => new()
        {
            Title = $"Harbour reopens {tag} says {outlet}",
            Excerpt = $"The harbour reopened on Monday ({outlet}).",
            ProviderName = outlet,
            ProviderDomain = outlet + ".example",
            PublishedDateTime = TestItem.Utc(2026, 4, 2, hour),
            Quality = 60 + hour,
            Related = related,
        };
        var (lead, b, c) = (Telling("alpha", 8, ("Alpha's source", source)), Telling("beta", 9), Telling("gamma", 10));
        await ImportAsync(lead, b, c);
        var ids = new[] { ItemId(lead), ItemId(b), ItemId(c) };
        var story = Factory.WithDb(db => db.Items.Single(i => i.Id == ids[0]).StoryId);
        Factory.WithDb(db => db.Items.Where(i => ids.Contains(i.Id)).ExecuteUpdate(u => u.SetProperty(i => i.StoryId, story)));
        return new Story(ids[0], ids[1], ids[2], lead, b, c, source);
    }

    private Task<HttpResponseMessage> ReviewAsync(HttpClient client, long id, WorkflowAction? move, params (string Url, LinkDecision Decision)[] decisions) =>
        StoryForms.ReviewAsync(Factory, client, id, move, decisions);

    // Merged b (approved) and c (rejected) into the lead, reviewed by an editor, published by a publisher.
    private async Task<(Story Story, HttpClient Editor, HttpClient Publisher)> PublishedAsync()
    {
        var story = await StoryAsync();
        var editor = await fixture.As(Roles.Editor);
        var publisher = await fixture.As(Roles.Publisher);
        Assert.Equal(HttpStatusCode.Redirect, (await StoryForms.MergeAsync(editor, story.Lead, story.B, story.C)).StatusCode);
        var reviewed = await ReviewAsync(editor, story.Lead, WorkflowAction.MarkReady,
            (story.Source, LinkDecision.Approved), (story.BItem.OriginalUrl, LinkDecision.Approved), (story.CItem.OriginalUrl, LinkDecision.Rejected));
        Assert.Equal(HttpStatusCode.Redirect, reviewed.StatusCode);
        Assert.Equal(WorkflowState.Ready, State(story.Lead));
        Assert.Equal(HttpStatusCode.Redirect, (await Moves.PostAsync(publisher, story.Lead, WorkflowAction.Publish)).StatusCode);
        Assert.Equal(WorkflowState.Published, State(story.Lead));
        await WriteFilesAsync();
        return (story, editor, publisher);
    }

    private WorkflowState State(long id) => Factory.WithDb(db => db.Items.Single(i => i.Id == id).State);

    private Task<int> WriteFilesAsync() => fixture.RunAsync(s => s.GetRequiredService<PublishWorker>().RunOnceAsync("test", CancellationToken.None));

    private async Task<HttpClient> ApiAsync()
    {
        var token = await fixture.RunAsync(s => s.GetRequiredService<DeliverySites>().CreateAsync(Actor.CommandLine(), "site-" + Unique.Tag(), CancellationToken.None));
        Assert.True(token.Succeeded, token.Result.Message);
        var client = Factory.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        return client;
    }

    // The published file's related entries, after checking that the CMS's reader, PyYAML (pure and
    // libyaml) and a YAML 1.2 reader read the same file.
    private async Task<List<SourceMapping>> PublishedRelatedAsync(long id)
    {
        var path = Path.Combine(Factory.PublishFolder, Factory.WithDb(db => db.Items.Single(i => i.Id == id).OutputFile!));
        var text = await File.ReadAllTextAsync(path);
        var root = new YamlFrontMatterReader().ReadText(path, text).Root;
        var cms11 = YamlReaders.Cms(root, YamlReaders.Schema.Yaml11);
        var pyyaml = (await YamlReaders.PyYamlAsync([path]))[path];
        Assert.Equal(cms11, pyyaml.Pure);
        Assert.Equal(cms11, pyyaml.LibYaml);
        Assert.Equal(YamlReaders.Cms(root, YamlReaders.Schema.Yaml12), YamlReaders.YamlDotNet12(text));
        return root["related"] is SourceSequence related ? related.Items.Cast<SourceMapping>().ToList() : [];
    }

    private static string? Text(SourceMapping map, string key) => map[key] is SourceScalar { IsNull: false } s ? s.Value : null;

    // The delivery API's version of the item and its related links' URLs.
    private static async Task<(int Version, List<string> Urls)> DeliveredAsync(HttpClient api, long id)
    {
        var entry = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/published/{id}")).RootElement;
        var item = entry.GetProperty("item");
        var urls = item.TryGetProperty("related", out var related) ? related.EnumerateArray().Select(r => r.GetProperty("webUrl").GetString()!).ToList() : [];
        return (entry.GetProperty("version").GetInt32(), urls);
    }

    [Fact]
    public async Task An_approved_merged_link_is_published_in_the_file_and_delivered_like_a_source_link_and_a_rejected_one_is_not()
    {
        var (story, _, _) = await PublishedAsync();

        var related = await PublishedRelatedAsync(story.Lead);
        Assert.Equal([story.Source, story.BItem.OriginalUrl], related.Select(r => Text(r, "webUrl")));
        var merged = related[1];
        Assert.Equal((story.BItem.Title, story.BItem.Excerpt, "2026-04-02T09:00:00Z", "69"),
            (Text(merged, "title"), Text(merged, "excerpt"), Text(merged, "publishedDateTime"), Text(merged, "quality")));
        Assert.Equal(("beta", "beta.example"), (Text((SourceMapping)merged["provider"]!, "name"), Text((SourceMapping)merged["provider"]!, "domain")));
        var api = await ApiAsync();
        var (version, urls) = await DeliveredAsync(api, story.Lead);
        Assert.Equal(1, version);
        Assert.Equal([story.Source, story.BItem.OriginalUrl], urls);
        var file = await File.ReadAllTextAsync(Path.Combine(Factory.PublishFolder, Factory.WithDb(db => db.Items.Single(i => i.Id == story.Lead).OutputFile!)));
        Assert.DoesNotContain(story.CItem.OriginalUrl, file);
        Assert.DoesNotContain(story.CItem.OriginalUrl, await api.GetStringAsync($"/api/v1/published/{story.Lead}"));
    }

    [Fact]
    public async Task A_merged_link_left_undecided_keeps_the_lead_from_being_published_and_out_of_every_output()
    {
        var story = await StoryAsync();
        var editor = await fixture.As(Roles.Editor);
        var publisher = await fixture.As(Roles.Publisher);
        Factory.WithDb(db => db.Items.Where(i => i.Id == story.Lead).ExecuteUpdate(u => u
            .SetProperty(i => i.State, WorkflowState.Ready).SetProperty(i => i.ReadyBy, "someone").SetProperty(i => i.ReadyByName, "someone")));

        await StoryForms.MergeAsync(editor, story.Lead, story.B);
        // The merge sent the Ready lead back to New: publishing it as reviewed is refused, and it
        // cannot be marked ready again while the merged link waits.
        await Moves.PostAsync(publisher, story.Lead, WorkflowAction.Publish);
        Assert.Equal(HttpStatusCode.Redirect, (await ReviewAsync(editor, story.Lead, null, (story.Source, LinkDecision.Approved))).StatusCode);
        var ready = await ReviewAsync(editor, story.Lead, WorkflowAction.MarkReady, (story.Source, LinkDecision.Approved));

        Assert.Equal(WorkflowState.New, State(story.Lead));
        Assert.Contains("Decide every related link first (1 still pending).", await ready.Content.ReadAsStringAsync());
        Assert.False(Factory.WithDb(db => db.PublishedItems.Any(p => p.ItemId == story.Lead)));
        // What an export writes of the lead now: its own approved link, not the pending one.
        var folder = Path.Combine(Path.GetTempPath(), "cms-merged-export-" + Unique.Tag());
        try
        {
            await fixture.RunAsync(s => s.GetRequiredService<Cms.Application.Exporting.ItemExporter>().ExportAsync(folder, WorkflowState.New, CancellationToken.None));
            var exported = Directory.GetFiles(folder).Select(File.ReadAllText).Single(t => t.Contains(story.LeadItem.OriginalUrl));
            Assert.Contains(story.Source, exported);
            Assert.DoesNotContain(story.BItem.OriginalUrl, exported);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Reopen_of_a_merged_item_after_the_lead_was_published_keeps_the_approved_link_and_a_correction_still_carries_it()
    {
        var (story, _, publisher) = await PublishedAsync();

        Assert.Equal(HttpStatusCode.Redirect, (await Moves.PostAsync(publisher, story.B, WorkflowAction.Reopen)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Moves.PostAsync(publisher, story.C, WorkflowAction.Reopen)).StatusCode);

        // Both are back in the queue; the decided links stayed on the lead, decisions and all.
        Assert.All(new[] { story.B, story.C }, id => Assert.Equal(WorkflowState.New, State(id)));
        var links = Factory.WithDb(db => db.RelatedLinks.AsNoTracking().Where(l => l.ItemId == story.Lead).OrderBy(l => l.Position)
            .Select(l => new { l.Url, l.Decision }).ToList());
        Assert.Equal([(story.Source, LinkDecision.Approved), .. story.Merged((story.BItem.OriginalUrl, LinkDecision.Approved), (story.CItem.OriginalUrl, LinkDecision.Rejected))],
            links.Select(l => (l.Url!, l.Decision)));
        var undone = Factory.WithDb(db => db.AuditEvents.Where(a => a.EntityId == story.Lead.ToString() && a.Action == AuditActions.ItemMergeUndone)
            .OrderBy(a => a.Id).Select(a => a.Payload).ToList());
        Assert.Equal(2, undone.Count);
        Assert.Contains("\"removed\":[]", undone[0]);
        Assert.Contains(story.BItem.OriginalUrl, undone[0]);

        Assert.Equal(HttpStatusCode.Redirect, (await Moves.PostAsync(publisher, story.Lead, WorkflowAction.Correct, "reopened the merged tellings")).StatusCode);
        await WriteFilesAsync();

        Assert.Equal([story.Source, story.BItem.OriginalUrl], (await PublishedRelatedAsync(story.Lead)).Select(r => Text(r, "webUrl")));
        var (version, urls) = await DeliveredAsync(await ApiAsync(), story.Lead);
        Assert.Equal(2, version);
        Assert.Equal([story.Source, story.BItem.OriginalUrl], urls);
    }

    [Fact]
    public async Task A_source_revision_of_the_lead_keeps_a_merged_link_it_does_not_list_and_one_listing_the_same_url_keeps_its_decision()
    {
        var (story, _, publisher) = await PublishedAsync();
        var acceptor = await SignedInAsync(Roles.Editor);
        var newUrl = $"https://delta.example/{Unique.Tag()}";
        // The same URL as b's, written differently (host case, default port): one identity.
        var sameAsB = story.BItem.OriginalUrl.Replace("https://news.example/", "https://NEWS.example:443/");
        Assert.Equal(LinkIdentity.Of(story.BItem.OriginalUrl), LinkIdentity.Of(sameAsB));

        // First the source adds an outlet: the merged links are not the source's to remove.
        await Corpus.ImportAsync(Factory.Services, (story.LeadItem with { Related = [("Alpha's source", story.Source), ("Delta", newUrl)] }).ToYaml());
        Assert.Equal(HttpStatusCode.Redirect, (await AcceptAsync(acceptor, story.Lead, "related")).StatusCode);
        Assert.Equal([(story.Source, LinkDecision.Approved, false), (newUrl, LinkDecision.Pending, false),
                .. story.Merged((story.BItem.OriginalUrl, LinkDecision.Approved), (story.CItem.OriginalUrl, LinkDecision.Rejected)).Select(m => (m.Url, m.Decision, true))],
            Links(story.Lead));

        // Then the source lists b's URL itself: its entry takes the merged link's place and decision.
        await Corpus.ImportAsync(Factory.Services, (story.LeadItem with { Related = [("Beta, as the source lists it", sameAsB), ("Alpha's source", story.Source), ("Delta", newUrl)] }).ToYaml());
        Assert.Equal(HttpStatusCode.Redirect, (await AcceptAsync(acceptor, story.Lead, "related")).StatusCode);
        Assert.Equal([(sameAsB, LinkDecision.Approved, false), (story.Source, LinkDecision.Approved, false), (newUrl, LinkDecision.Pending, false),
                (story.CItem.OriginalUrl, LinkDecision.Rejected, true)],
            Links(story.Lead));

        Assert.Equal(HttpStatusCode.Redirect, (await ReviewAsync(acceptor, story.Lead, null, (sameAsB, LinkDecision.Approved), (story.Source, LinkDecision.Approved), (newUrl, LinkDecision.Rejected), (story.CItem.OriginalUrl, LinkDecision.Rejected))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Moves.PostAsync(publisher, story.Lead, WorkflowAction.Correct, "the source lists beta now")).StatusCode);
        await WriteFilesAsync();
        // Once, as the source wrote it.
        Assert.Equal([sameAsB, story.Source], (await PublishedRelatedAsync(story.Lead)).Select(r => Text(r, "webUrl")));
    }

    private List<(string Url, LinkDecision Decision, bool Merged)> Links(long id) =>
        Factory.WithDb(db => db.RelatedLinks.AsNoTracking().Where(l => l.ItemId == id).OrderBy(l => l.Position)
                .Select(l => new { l.Url, l.Decision, Merged = l.MergedFromItemId != null }).ToList())
            .Select(l => (l.Url!, l.Decision, l.Merged)).ToList();

    private static Task<HttpResponseMessage> AcceptAsync(HttpClient client, long id, params string[] fields) =>
        Items.LinkIdentityPageTests.AcceptNothingTickedAsync(client, id, fields);
}
