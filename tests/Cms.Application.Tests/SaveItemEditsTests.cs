using Cms.Application.Items;
using Cms.Application.Queue;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

public sealed class SaveItemEditsTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private Task<Outcome> SaveAsync(Actor actor, SaveItemEdits.Command command) =>
        app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(actor, command, CancellationToken.None));

    private SaveItemEdits.Command Current(long id) => app.Read(db =>
    {
        var item = db.Items.AsNoTracking().Include(i => i.RelatedLinks).Include(i => i.Topics).ThenInclude(t => t.Topic).Single(i => i.Id == id);
        return new SaveItemEdits.Command(id, item.Version, item.Quality, item.Category,
            item.Topics.OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToList(),
            item.RelatedLinks.OrderBy(l => l.Position).Select(l => new SaveItemEdits.LinkChange(l.Id, l.Decision, l.Reason)).ToList(), null);
    });

    private int Events(long id, string action) =>
        app.Read(db => db.AuditEvents.Count(a => a.Action == action && a.EntityId == id.ToString()));

    [Fact]
    public async Task A_save_changes_the_fields_stamps_the_editor_and_writes_one_event_with_before_and_after()
    {
        var id = (await app.ImportAsync(new TestItem { Quality = 40 }.ToYaml()))[0];

        var outcome = await SaveAsync(Actors.Editor(), Current(id) with { Quality = 77, Note = "checked the numbers" });

        Assert.Equal(SaveItemEdits.Saved, outcome.Message);
        var item = app.Read(db => db.Items.Single(x => x.Id == id));
        Assert.Equal(77, item.Quality);
        Assert.Equal("editor@example.com", item.EditedBy);
        Assert.NotNull(item.EditedAt);
        var audit = app.Read(db => db.AuditEvents.Single(a => a.Action == AuditActions.ItemEdited && a.EntityId == id.ToString()));
        using var data = System.Text.Json.JsonDocument.Parse(audit.Data!);
        var change = data.RootElement.GetProperty("changes")[0];
        Assert.Equal("quality", change.GetProperty("field").GetString());
        Assert.Equal(40, change.GetProperty("before").GetInt32());
        Assert.Equal(77, change.GetProperty("after").GetInt32());
        Assert.Equal("checked the numbers", data.RootElement.GetProperty("note").GetString());
    }

    [Fact]
    public async Task A_save_from_a_stale_version_is_a_conflict_and_writes_nothing()
    {
        var id = (await app.ImportAsync(new TestItem { Quality = 10 }.ToYaml()))[0];
        var loaded = Current(id);
        Assert.True((await SaveAsync(Actors.Editor("first@example.com"), loaded with { Quality = 20 })).Succeeded);

        var second = await SaveAsync(Actors.Editor("second@example.com"), loaded with { Quality = 30 });

        Assert.Equal(OutcomeStatus.Conflict, second.Status);
        Assert.Equal(20, app.Read(db => db.Items.Single(x => x.Id == id).Quality));
        Assert.Equal(1, Events(id, AuditActions.ItemEdited));
    }

    [Fact]
    public async Task A_save_that_fails_validation_changes_nothing_and_writes_no_event()
    {
        var id = (await app.ImportAsync(new TestItem { Quality = 10 }.ToYaml()))[0];

        var outcome = await SaveAsync(Actors.Editor(), Current(id) with { Quality = 101, Category = "not-a-category" });

        Assert.Equal(OutcomeStatus.Invalid, outcome.Status);
        Assert.Contains(outcome.Errors, e => e.Field == "Quality");
        Assert.Contains(outcome.Errors, e => e.Field == "Category");
        Assert.Equal(10, app.Read(db => db.Items.Single(x => x.Id == id).Quality));
        Assert.Equal(0, Events(id, AuditActions.ItemEdited));
    }

    [Fact]
    public async Task An_editor_naming_an_unknown_topic_saves_nothing()
    {
        var id = (await app.ImportAsync(new TestItem { Quality = 10 }.ToYaml()))[0];
        var unknown = $"Unknown {Guid.NewGuid():N}";

        var outcome = await SaveAsync(Actors.Editor(), Current(id) with { Quality = 11, Topics = [unknown] });

        Assert.Equal(OutcomeStatus.Invalid, outcome.Status);
        Assert.Equal(10, app.Read(db => db.Items.Single(x => x.Id == id).Quality));
        Assert.False(app.Read(db => db.Topics.Any(t => t.Name == unknown)));
    }

    [Fact]
    public async Task An_unsafe_link_stays_rejected_whether_approved_by_a_save_or_by_a_bulk_action()
    {
        var id = (await app.ImportAsync(new TestItem { Related = [("Safe", "https://safe.example/a"), ("Unsafe", "javascript:alert(1)")] }.ToYaml()))[0];
        var command = Current(id);

        await SaveAsync(Actors.Editor(), command with { Links = command.Links.Select(l => l with { Decision = LinkDecision.Approved }).ToList() });
        await app.RunAsync(s => s.GetRequiredService<BulkEdit>().HandleAsync(Actors.Editor(), new BulkEdit.Command([id], BulkEdit.ApproveLinks, null), CancellationToken.None));

        var links = app.Read(db => db.RelatedLinks.Where(l => l.ItemId == id).OrderBy(l => l.Position).Select(l => l.Decision).ToList());
        Assert.Equal([LinkDecision.Approved, LinkDecision.Rejected], links);
    }

    [Fact]
    public async Task An_actor_without_the_review_permission_is_refused_and_the_refusal_is_audited()
    {
        var id = (await app.ImportAsync(new TestItem { Quality = 10 }.ToYaml()))[0];

        var outcome = await SaveAsync(Actors.Nobody, Current(id) with { Quality = 90 });

        Assert.Equal(OutcomeStatus.Forbidden, outcome.Status);
        Assert.Equal(10, app.Read(db => db.Items.Single(x => x.Id == id).Quality));
        Assert.Equal(1, Events(id, AuditActions.AuthorizationRefused));
    }
}
