using Cms.Application.Importing;
using Cms.Application.Items;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

public sealed class SourceRevisionTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private async Task<SourceRevisions.Comparison> CompareAsync(long id) =>
        await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().CompareAsync(id, CancellationToken.None))
        ?? throw new InvalidOperationException("no pending revision");

    private uint Version(long id) => app.Read(db => db.Items.Single(i => i.Id == id).Version);

    private async Task<Outcome> AcceptAsync(Actor actor, long id, IReadOnlyCollection<string>? fields, uint? version = null)
    {
        var revision = (await CompareAsync(id)).RevisionId;
        return await app.RunAsync(s => s.GetRequiredService<SourceRevisions>()
            .AcceptAsync(actor, id, revision, version ?? Version(id), fields, CancellationToken.None));
    }

    private async Task ImportRevisionAsync(string text)
    {
        var files = new[] { ImportSources.FromBytes($"{Guid.NewGuid():N}.txt", System.Text.Encoding.UTF8.GetBytes(text)) };
        var outcome = await app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None));
        Assert.Equal(1, outcome.Value!.Revisions);
    }

    // An item an editor has set to quality 70, with a newer source waiting that changes title,
    // quality and excerpt (the excerpt written with a YAML escape) and an unknown field.
    private async Task<(long Id, TestItem Story)> EditedItemWithRevisionAsync()
    {
        var story = new TestItem { Quality = 40, Excerpt = "Old excerpt", Topics = ["AI"] };
        var id = (await app.ImportAsync(story.ToYaml()))[0];
        var edit = app.Read(db => new SaveItemEdits.Command(id, db.Items.Single(i => i.Id == id).Version, 70, null, ["AI"], [], null));
        Assert.True((await app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor(), edit, CancellationToken.None))).Succeeded);
        var incoming = (story with { Title = story.Title + " (updated)", Quality = 52, Excerpt = "PLACEHOLDER", ExtraYaml = ["wordCount: 800"] }).ToYaml()
            .Replace("\"PLACEHOLDER\"", "\"Asia\\u2013Europe\"");
        await ImportRevisionAsync(incoming);
        return (id, story);
    }

    // POLISH9: the comparison reads the incoming source through the import's own mapping
    // (ItemRows.SourceFields, Link, the vocabulary's topic spelling), so a revision of the very file
    // an item was imported from shows no field as changed, and accepting one would store what the
    // import stored.
    [Fact]
    public async Task A_revision_of_the_same_file_compares_equal_to_its_import()
    {
        var topic = "Markets " + Unique.Tag();
        await app.ImportAsync(new TestItem { Topics = [topic] }.ToYaml());
        var story = new TestItem
        {
            Excerpt = "<p>Rates <b>rise</b></p>", Category = "business", ProviderName = "Wire", ProviderDomain = "wire.example",
            PublishedDateTime = TestItem.Utc(2026, 5, 1, 8), Quality = 61, Heat = 3,
            // The vocabulary's topic spelled in another case and with a double space, as a file may.
            Topics = [topic.ToLowerInvariant().Replace(" ", "  ")],
            Related = [("One", "https://one.example/a"), ("Unsafe", "javascript:alert(1)"), ("Again", "https://one.example/a")],
        };
        var id = (await app.ImportAsync(story.ToYaml()))[0];
        // Worked on (a note), so a newer file waits as a revision instead of updating the item.
        var note = app.Read(db => new SaveItemEdits.Command(id, db.Items.Single(i => i.Id == id).Version, 61, "business", [topic],
            db.Items.Where(i => i.Id == id).SelectMany(i => i.RelatedLinks).OrderBy(l => l.Position).Select(l => new SaveItemEdits.LinkChange(l.Id, l.Decision, l.Reason)).ToList(), "checked"));
        Assert.True((await app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor(), note, CancellationToken.None))).Succeeded);

        await ImportRevisionAsync((story with { ExtraYaml = ["wordCount: 800"] }).ToYaml());

        var comparison = await CompareAsync(id);
        Assert.Empty(comparison.Rows);
        Assert.Equal(["wordCount"], comparison.OtherFields);
    }

    [Fact]
    public async Task The_comparison_shows_decoded_values_and_marks_the_fields_the_editor_changed()
    {
        var (id, story) = await EditedItemWithRevisionAsync();

        var comparison = await CompareAsync(id);

        var rows = comparison.Rows.ToDictionary(r => r.Field);
        Assert.Equal(["title", "excerpt", "quality"], comparison.Rows.Select(r => r.Field));
        Assert.Equal("Asia\u2013Europe", rows["excerpt"].Incoming);
        Assert.Equal("Old excerpt", rows["excerpt"].Current);
        Assert.Equal(("70", "52"), (rows["quality"].Current, rows["quality"].Incoming));
        Assert.True(rows["quality"].EditedHere);
        Assert.False(rows["title"].EditedHere);
        Assert.Equal(story.Title + " (updated)", rows["title"].Incoming);
        Assert.Equal(["wordCount"], comparison.OtherFields);
    }

    [Fact]
    public async Task Accepting_chosen_fields_applies_them_keeps_the_rest_clears_source_changed_and_is_audited()
    {
        var (id, story) = await EditedItemWithRevisionAsync();

        var outcome = await AcceptAsync(Actors.Editor(), id, ["title", "excerpt"]);

        Assert.Equal(SourceRevisions.Accepted, outcome.Message);
        var item = app.Read(db => db.Items.Single(i => i.Id == id));
        Assert.Equal(story.Title + " (updated)", item.Title);
        Assert.Equal("Asia\u2013Europe", item.Excerpt);
        Assert.Equal(70, item.Quality);
        Assert.False(item.SourceChanged);
        Assert.Contains("wordCount: 800", item.SourceYaml);
        Assert.Equal(RevisionStatus.Applied, app.Read(db => db.SourceRevisions.Single(r => r.ItemId == id).Status));
        var audit = app.Read(db => db.AuditEvents.Single(a => a.Action == AuditActions.ItemRevisionAccepted && a.EntityId == id.ToString()));
        Assert.Contains("\"accepted\":[\"title\",\"excerpt\"]", audit.Data);
        Assert.Contains("\"kept\":[\"quality\"]", audit.Data);
    }

    [Fact]
    public async Task Accepting_a_revision_on_a_ready_item_says_that_it_went_back_to_new()
    {
        var story = new TestItem { Quality = 40, RelatedCount = 0 };
        var id = (await app.ImportAsync(story.ToYaml()))[0];
        var ready = await app.RunAsync(s => s.GetRequiredService<ItemTransitions>()
            .HandleAsync(Actors.Editor(), new ItemTransitions.Request(id, WorkflowAction.MarkReady, null), CancellationToken.None));
        Assert.True(ready.Succeeded, ready.Message);
        await ImportRevisionAsync((story with { Title = story.Title + " (corrected)" }).ToYaml());

        var outcome = await AcceptAsync(Actors.Editor(), id, null);

        Assert.Equal(SourceRevisions.AcceptedBackToNew, outcome.Message);
        Assert.Equal(WorkflowState.New, app.Read(db => db.Items.Single(i => i.Id == id).State));
    }

    [Fact]
    public async Task Accepting_all_fields_overrides_the_editors_value()
    {
        var (id, _) = await EditedItemWithRevisionAsync();

        Assert.True((await AcceptAsync(Actors.Editor(), id, null)).Succeeded);

        Assert.Equal(52, app.Read(db => db.Items.Single(i => i.Id == id).Quality));
    }

    [Fact]
    public async Task Dismissing_keeps_the_item_clears_source_changed_and_is_audited()
    {
        var (id, story) = await EditedItemWithRevisionAsync();
        var revision = (await CompareAsync(id)).RevisionId;

        var outcome = await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().DismissAsync(Actors.Editor(), id, revision, Version(id), CancellationToken.None));

        Assert.Equal(SourceRevisions.Dismissed, outcome.Message);
        var item = app.Read(db => db.Items.Single(i => i.Id == id));
        Assert.Equal((story.Title, 70, false), (item.Title, item.Quality, item.SourceChanged));
        Assert.Equal(RevisionStatus.Dismissed, app.Read(db => db.SourceRevisions.Single(r => r.Id == revision).Status));
        Assert.Equal(1, app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.ItemRevisionDismissed && a.EntityId == id.ToString())));
    }

    [Fact]
    public async Task Accepting_from_a_stale_version_is_a_conflict_and_changes_nothing()
    {
        var (id, story) = await EditedItemWithRevisionAsync();
        var stale = Version(id);
        var edit = app.Read(db => new SaveItemEdits.Command(id, stale, 80, null, ["AI"], [], null));
        Assert.True((await app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor("other@example.com"), edit, CancellationToken.None))).Succeeded);

        var outcome = await AcceptAsync(Actors.Editor(), id, null, stale);

        Assert.Equal(OutcomeStatus.Conflict, outcome.Status);
        var item = app.Read(db => db.Items.Single(i => i.Id == id));
        Assert.Equal((story.Title, 80, true), (item.Title, item.Quality, item.SourceChanged));
        Assert.Equal(0, app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.ItemRevisionAccepted && a.EntityId == id.ToString())));
    }

    [Fact]
    public async Task Deciding_without_the_review_permission_is_refused_and_audited()
    {
        var (id, _) = await EditedItemWithRevisionAsync();

        var outcome = await AcceptAsync(Actors.Nobody, id, null);

        Assert.Equal(OutcomeStatus.Forbidden, outcome.Status);
        Assert.True(app.Read(db => db.Items.Single(i => i.Id == id).SourceChanged));
        Assert.Equal(1, app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.AuthorizationRefused && a.EntityId == id.ToString())));
    }

    [Fact]
    public async Task A_revision_decided_already_cannot_be_decided_again()
    {
        var (id, _) = await EditedItemWithRevisionAsync();
        var revision = (await CompareAsync(id)).RevisionId;
        Assert.True((await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().DismissAsync(Actors.Editor(), id, revision, Version(id), CancellationToken.None))).Succeeded);

        var again = await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().AcceptAsync(Actors.Editor(), id, revision, Version(id), null, CancellationToken.None));

        Assert.Equal(OutcomeStatus.Conflict, again.Status);
        Assert.Equal(SourceRevisions.NotPending, again.Message);
    }

    [Fact]
    public async Task A_save_clears_a_source_changed_flag_that_no_pending_revision_backs()
    {
        var id = (await app.ImportAsync(new TestItem { Quality = 10 }.ToYaml()))[0];
        await app.RunAsync(s => s.GetRequiredService<Cms.Data.CmsDbContext>().Items.Where(i => i.Id == id)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.SourceChanged, true)));
        var edit = app.Read(db => new SaveItemEdits.Command(id, db.Items.Single(i => i.Id == id).Version, 11, null, [], [], null));

        Assert.True((await app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor(), edit, CancellationToken.None))).Succeeded);

        Assert.False(app.Read(db => db.Items.Single(i => i.Id == id).SourceChanged));
    }

    // An item edited by an editor (so a re-sent file waits as a revision) whose category is `category`.
    private async Task<long> EditedItemInAsync(TestItem story, string? category = null)
    {
        var id = (await app.ImportAsync(story.ToYaml()))[0];
        var edit = app.Read(db => new SaveItemEdits.Command(id, db.Items.Single(i => i.Id == id).Version, 42, category ?? story.Category, [.. story.Topics ?? []], [], null));
        var saved = await app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor(), edit, CancellationToken.None));
        Assert.True(saved.Succeeded, saved.Message);
        return id;
    }

    private string? CategoryOf(long id) => app.Read(db => db.Items.Single(i => i.Id == id).Category);

    // The category field of the item's revision.accepted event.
    private System.Text.Json.JsonElement? CategoryChange(long id) => app.Read(db =>
    {
        var data = db.AuditEvents.Where(e => e.EntityId == id.ToString() && e.Action == AuditActions.ItemRevisionAccepted).Select(e => e.Data).Single();
        return System.Text.Json.JsonDocument.Parse(data!).RootElement.GetProperty("changes").EnumerateArray()
            .Where(c => c.GetProperty("field").GetString() == "category").Select(c => (System.Text.Json.JsonElement?)c.Clone()).SingleOrDefault();
    });

    // REVIEW11 R11-3: the comparison is made on the YAML; a category that differs only in letter
    // case is the same category (as the import and the edit form treat it), not a change to offer.
    [Fact]
    public async Task A_revision_whose_category_differs_only_in_case_offers_no_category_change()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var story = new TestItem { Category = $"Travel {tag}" };
        var id = await EditedItemInAsync(story);
        await ImportRevisionAsync((story with { Category = $"TRAVEL {tag}", ExtraYaml = ["wordCount: 800"] }).ToYaml());

        var comparison = await CompareAsync(id);

        Assert.DoesNotContain(comparison.Rows, r => r.Field == "category" && r.OnItem);
    }

    // REVIEW12 R12-6: the import asks the same question with the same rule (the lists' key): a
    // file that differs only in the category's letter case is no revision, the item not flagged.
    [Fact]
    public async Task A_file_whose_category_differs_only_in_case_is_not_reported_as_a_changed_source()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var story = new TestItem { Category = $"Travel {tag}", Topics = [$"Rail {tag}"] };
        var id = await EditedItemInAsync(story);

        var files = new[] { ImportSources.FromBytes($"{Guid.NewGuid():N}.txt", System.Text.Encoding.UTF8.GetBytes((story with { Category = $"TRAVEL {tag}", Topics = [$"rail  {tag}"] }).ToYaml())) };
        var imported = await app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None));

        Assert.Equal((0, 1), (imported.Value!.Revisions, imported.Value.Unchanged));
        Assert.False(app.Read(db => db.Items.Single(i => i.Id == id).SourceChanged));
        Assert.Null(await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().CompareAsync(id, CancellationToken.None)));
    }

    // REVIEW11 R11-3: accepting such a revision took the category row (a change of nothing) and sent
    // a Ready item back to New for review.
    [Fact]
    public async Task Accepting_a_revision_that_differs_only_in_category_case_keeps_a_ready_item_ready()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var story = new TestItem { Quality = 40, RelatedCount = 0, Category = $"Harbour {tag}" };
        var id = (await app.ImportAsync(story.ToYaml()))[0];
        var ready = await app.RunAsync(s => s.GetRequiredService<ItemTransitions>()
            .HandleAsync(Actors.Editor(), new ItemTransitions.Request(id, WorkflowAction.MarkReady, null), CancellationToken.None));
        Assert.True(ready.Succeeded, ready.Message);
        // As an import before REVIEW12 R12-6 kept it (an import now keeps no such revision).
        await app.OwnerAsync("""
            INSERT INTO source_revisions (item_id, file_name, source_yaml, source_hash, received_at, status, changed_fields, changed_field_count)
            SELECT id, 'r.txt', replace(source_yaml, $2, $3), 'case-only', now(), 'Pending', ARRAY['category'], 1 FROM items WHERE id = $1
            """, id, $"Harbour {tag}", $"harbour {tag}");
        await app.OwnerAsync("UPDATE items SET source_changed = true WHERE id = $1", id);

        var outcome = await AcceptAsync(Actors.Editor(), id, null);

        Assert.Equal(SourceRevisions.Accepted, outcome.Message);
        Assert.Equal((WorkflowState.Ready, $"Harbour {tag}"), app.Read(db => db.Items.Where(i => i.Id == id).Select(i => new { i.State, i.Category }).Single()) is var x ? (x.State, x.Category) : default);
        Assert.Null(CategoryChange(id));
    }

    // REVIEW11 R11-3: the revision's "weather" is stored as the list's "Weather", and the audit event
    // named the revision's spelling as the value after: the trail named a value never stored.
    [Fact]
    public async Task Accepting_a_revisions_category_stores_and_audits_the_lists_spelling()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        await app.ImportAsync(new TestItem { Category = $"Weather {tag}" }.ToYaml());
        var story = new TestItem { Category = $"Sport {tag}" };
        var id = await EditedItemInAsync(story);
        await ImportRevisionAsync((story with { Category = $"weather {tag}" }).ToYaml());

        var accepted = await AcceptAsync(Actors.Editor(), id, ["category"]);

        Assert.True(accepted.Succeeded, accepted.Message);
        Assert.Equal($"Weather {tag}", CategoryOf(id));
        var change = CategoryChange(id)!.Value;
        Assert.Equal(($"Sport {tag}", $"Weather {tag}"), (change.GetProperty("before").GetString(), change.GetProperty("after").GetString()));
    }

    // REVIEW11 R11-2: revisions are kept without the import's rules, so a revision's category may
    // be one the list lacks. Accepting it goes through the import's rule: it joins the list (audited
    // as the import adds one) for an actor who may add to it, and is refused, naming the category,
    // for anyone else; so an item's stored category is always one the list has.
    [Fact]
    public async Task Accepting_a_revisions_category_the_list_lacks_adds_it_for_a_publisher_and_is_refused_for_an_editor()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var story = new TestItem { Category = $"Health {tag}" };
        var (byEditor, byPublisher) = (await EditedItemInAsync(story), await EditedItemInAsync(story with { OriginalUrl = $"https://example.com/{tag}/other" }));
        await ImportRevisionAsync((story with { Category = $"Novel {tag}" }).ToYaml());
        await ImportRevisionAsync((story with { OriginalUrl = $"https://example.com/{tag}/other", Category = $"Novel {tag}" }).ToYaml());

        var refused = await AcceptAsync(Actors.Editor(), byEditor, ["category"]);
        var accepted = await AcceptAsync(Actors.Publisher(), byPublisher, ["category"]);

        Assert.Equal((OutcomeStatus.Invalid, Topics.TopicVocabulary.UnlistedCategory($"Novel {tag}")), (refused.Status, refused.Message));
        Assert.Equal($"Health {tag}", CategoryOf(byEditor));
        Assert.True(accepted.Succeeded, accepted.Message);
        Assert.Equal($"Novel {tag}", CategoryOf(byPublisher));
        var listed = app.Read(db => db.Categories.Where(c => c.Name == $"Novel {tag}").Select(c => c.Id).Single());
        Assert.Equal(1, app.Read(db => db.AuditEvents.Count(e => e.Action == AuditActions.CategoryCreated && e.EntityId == listed.ToString())));
    }
    // An editor's item whose source sent a new title (a pending revision), then takes it back.
    private async Task<(long Id, TestItem Story)> EditedItemWithRetitledRevisionAsync()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var story = new TestItem { Category = $"Travel {tag}", Topics = [$"Rail {tag}"] };
        var id = await EditedItemInAsync(story);
        await ImportRevisionAsync((story with { Title = story.Title + " (retitled)" }).ToYaml());
        Assert.Equal(1, app.Read(db => db.SourceRevisions.Count(r => r.ItemId == id && r.Status == RevisionStatus.Pending)));
        return (id, story);
    }

    private async Task<int> ImportUnchangedAsync(string text)
    {
        var files = new[] { ImportSources.FromBytes($"{Guid.NewGuid():N}.txt", System.Text.Encoding.UTF8.GetBytes(text)) };
        var outcome = await app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None));
        Assert.Equal(0, outcome.Value!.Revisions);
        return outcome.Value.Unchanged;
    }

    // The newest source no longer says what the pending revision offers: the revision is dismissed,
    // "source changed" cleared, and the import's dismissal audited (REVIEW13 R13-2).
    private void AssertNoRevisionOffered(long id)
    {
        Assert.Equal(0, app.Read(db => db.SourceRevisions.Count(r => r.ItemId == id && r.Status == RevisionStatus.Pending)));
        Assert.False(app.Read(db => db.Items.Single(i => i.Id == id).SourceChanged));
        var dismissal = app.Read(db => db.AuditEvents.Where(e => e.Action == AuditActions.ItemRevisionDismissed && e.EntityId == id.ToString()).Select(e => e.Actor).ToList());
        Assert.Equal([Actors.Pipeline.Name], dismissal);
    }

    // REVIEW13 R13-2: the original again, only reformatted (a comment line) and with the category in
    // another case: nothing an editor could take, so the revision offering the new title goes.
    [Fact]
    public async Task A_pending_revision_is_dismissed_when_the_source_reverts_it_with_formatting_only_differences()
    {
        var (id, story) = await EditedItemWithRetitledRevisionAsync();

        Assert.Equal(1, await ImportUnchangedAsync((story with { Category = story.Category!.ToUpperInvariant() }).ToYaml().Insert(4, "# resent\n")));

        AssertNoRevisionOffered(id);
    }

    // REVIEW13 R13-2: the very file the item came from again (its hash is the item's): the revision
    // offering the new title goes.
    [Fact]
    public async Task A_pending_revision_is_dismissed_when_the_source_reverts_it_byte_for_byte()
    {
        var (id, story) = await EditedItemWithRetitledRevisionAsync();

        Assert.Equal(1, await ImportUnchangedAsync(story.ToYaml()));

        AssertNoRevisionOffered(id);
        // Imported once more, the file changes nothing and writes nothing.
        await ImportUnchangedAsync(story.ToYaml());
        Assert.Equal(1, app.Read(db => db.AuditEvents.Count(e => e.Action == AuditActions.ItemRevisionDismissed && e.EntityId == id.ToString())));
    }
    private List<(string Title, RevisionStatus Status)> Revisions(long id) => app.Read(db => db.SourceRevisions
        .Where(r => r.ItemId == id).OrderBy(r => r.Id).Select(r => new { r.SourceYaml, r.Status }).ToList())
        .Select(r => (r.SourceYaml.Contains("(retitled)") ? "retitled" : r.SourceYaml.Contains("(again)") ? "again" : "other", r.Status)).ToList();

    // A revision the import dismissed because the source took it back is not a person's decision:
    // the source sending that file once more offers it again (the flag set again).
    [Fact]
    public async Task A_file_the_source_sends_again_after_taking_it_back_is_offered_again()
    {
        var (id, story) = await EditedItemWithRetitledRevisionAsync();
        await ImportUnchangedAsync(story.ToYaml());

        await ImportRevisionAsync((story with { Title = story.Title + " (retitled)" }).ToYaml());

        Assert.Equal([("retitled", RevisionStatus.Pending)], Revisions(id));
        Assert.True(app.Read(db => db.Items.Single(i => i.Id == id).SourceChanged));
        Assert.Contains("title", (await CompareAsync(id)).Rows.Select(r => r.Field));
    }

    // A newer file replaced the pending revision, then the source sends the older file again: the
    // older is offered, not the newer one the source no longer says.
    [Fact]
    public async Task A_file_sent_again_after_a_newer_one_replaced_it_is_offered_instead_of_the_newer()
    {
        var (id, story) = await EditedItemWithRetitledRevisionAsync();
        await ImportRevisionAsync((story with { Title = story.Title + " (again)" }).ToYaml());

        await ImportRevisionAsync((story with { Title = story.Title + " (retitled)" }).ToYaml());

        Assert.Equal([("retitled", RevisionStatus.Pending), ("again", RevisionStatus.Superseded)], Revisions(id));
    }

    // A file an editor dismissed stays dismissed when sent again; a newer revision still offered
    // goes, since the newest source is the one the editor decided on.
    [Fact]
    public async Task A_file_an_editor_dismissed_sent_again_is_not_offered_and_the_newer_revision_goes()
    {
        var (id, story) = await EditedItemWithRetitledRevisionAsync();
        var revision = (await CompareAsync(id)).RevisionId;
        var dismissed = await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().DismissAsync(Actors.Editor(), id, revision, Version(id), CancellationToken.None));
        Assert.True(dismissed.Succeeded, dismissed.Message);
        await ImportRevisionAsync((story with { Title = story.Title + " (again)" }).ToYaml());

        Assert.Equal(1, await ImportUnchangedAsync((story with { Title = story.Title + " (retitled)" }).ToYaml()));

        Assert.Equal([("retitled", RevisionStatus.Dismissed), ("again", RevisionStatus.Superseded)], Revisions(id));
        Assert.False(app.Read(db => db.Items.Single(i => i.Id == id).SourceChanged));
    }
}
