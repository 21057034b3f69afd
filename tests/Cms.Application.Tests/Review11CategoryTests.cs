using System.Text;
using Cms.Application.Items;
using Cms.Application.Queue;
using Cms.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

// REVIEW11 evidence: the queue's category filter (and a saved view, bulk actions through
// FilterAsync) now looks the typed name up in the list and filters on the list's spelling alone,
// relying on every item carrying that spelling. An accepted revision stores a category the list
// does not have (revisions are kept without the import's rules and their categories never join the
// list); a later import of the same name in another case adds that spelling to the list. The item
// of the revision then carries a case twin of a listed category, and the filter, asked for either
// spelling, no longer finds it, not even by the exact spelling it carries (which found it before).
public sealed class Review11CategoryTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..10];

    private SaveItemEdits.Command Posting(long id, string? category) => app.Read(db =>
    {
        var item = db.Items.AsNoTracking().Include(i => i.RelatedLinks).Single(i => i.Id == id);
        return new SaveItemEdits.Command(id, item.Version, item.Quality, category, [],
            item.RelatedLinks.OrderBy(l => l.Position).Select(l => new SaveItemEdits.LinkChange(l.Id, l.Decision, l.Reason)).ToList(), null);
    });

    [Fact]
    public async Task The_queue_filter_finds_an_item_whose_category_an_accepted_revision_set_whatever_the_case_later_listed()
    {
        var story = new TestItem { Category = $"Health {_tag}" };
        var revised = (await app.ImportAsync(story.ToYaml()))[0];
        var saved = await app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor(), Posting(revised, $"Health {_tag}") with { Quality = 42 }, CancellationToken.None));
        Assert.True(saved.Succeeded);
        var files = new[] { Importing.ImportSources.FromBytes("r.txt", Encoding.UTF8.GetBytes((story with { Category = $"Novel {_tag}" }).ToYaml())) };
        Assert.Equal(1, (await app.RunAsync(s => s.GetRequiredService<Importing.ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None))).Value!.Revisions);
        var comparison = await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().CompareAsync(revised, CancellationToken.None));
        var version = app.Read(db => db.Items.Single(i => i.Id == revised).Version);
        var accepted = await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().AcceptAsync(Actors.Editor(), revised, comparison!.RevisionId, version, ["category"], CancellationToken.None));
        Assert.True(accepted.Succeeded, accepted.Message);
        Assert.Equal($"Novel {_tag}", app.Read(db => db.Items.Single(i => i.Id == revised).Category));
        Assert.Empty(app.Read(db => db.Categories.Where(c => c.Name.EndsWith(_tag) && c.Name.StartsWith("Novel")).ToList()));

        var imported = (await app.ImportAsync(new TestItem { Category = $"NOVEL {_tag}" }.ToYaml()))[0];

        Assert.Equal([$"NOVEL {_tag}"], app.Read(db => db.Categories.Where(c => c.Name.EndsWith(_tag) && c.Name.ToLower().StartsWith("novel")).Select(c => c.Name).ToList()));
        foreach (var typed in new[] { $"Novel {_tag}", $"NOVEL {_tag}", $"novel {_tag}" })
        {
            var page = await app.RunAsync(s => s.GetRequiredService<QueueQuery>().PageAsync(new QueueView { Category = typed }, CancellationToken.None));
            Assert.Equal(new[] { revised, imported }.Order(), page.Items.Select(r => r.Id).Order());
        }
    }

    // The import stores an edited item's re-sent file as a revision; the comparison is made on the
    // YAML, so a category that differs only in letter case (the same category, as the import and
    // the edit form treat it) is offered to the editor as a change of category.
    [Fact]
    public async Task A_revision_whose_category_differs_only_in_case_offers_no_category_change()
    {
        var story = new TestItem { Category = $"Travel {_tag}" };
        var id = (await app.ImportAsync(story.ToYaml()))[0];
        var saved = await app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor(), Posting(id, $"Travel {_tag}") with { Quality = 42 }, CancellationToken.None));
        Assert.True(saved.Succeeded);
        var files = new[] { Importing.ImportSources.FromBytes("t.txt", Encoding.UTF8.GetBytes((story with { Category = $"TRAVEL {_tag}" }).ToYaml())) };
        Assert.Equal(1, (await app.RunAsync(s => s.GetRequiredService<Importing.ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None))).Value!.Revisions);

        var comparison = await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().CompareAsync(id, CancellationToken.None));

        Assert.DoesNotContain(comparison!.Rows, r => r.Field == "category" && r.OnItem);
    }

    // Accepting that row stores the list's spelling (SourceRevisions re-spells it) but the audit
    // event records the revision's spelling as the value after: the trail names a value never stored.
    [Fact]
    public async Task Accepting_a_revisions_category_in_another_case_audits_the_value_stored()
    {
        var story = new TestItem { Category = $"Weather {_tag}" };
        var id = (await app.ImportAsync(story.ToYaml()))[0];
        var saved = await app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor(), Posting(id, $"Weather {_tag}") with { Quality = 42 }, CancellationToken.None));
        Assert.True(saved.Succeeded);
        var files = new[] { Importing.ImportSources.FromBytes("w.txt", Encoding.UTF8.GetBytes((story with { Category = $"weather {_tag}" }).ToYaml())) };
        Assert.Equal(1, (await app.RunAsync(s => s.GetRequiredService<Importing.ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None))).Value!.Revisions);
        var comparison = await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().CompareAsync(id, CancellationToken.None));
        var version = app.Read(db => db.Items.Single(i => i.Id == id).Version);

        var accepted = await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().AcceptAsync(Actors.Editor(), id, comparison!.RevisionId, version, ["category"], CancellationToken.None));

        Assert.True(accepted.Succeeded, accepted.Message);
        var stored = app.Read(db => db.Items.Single(i => i.Id == id).Category);
        Assert.Equal($"Weather {_tag}", stored);
        var data = app.Read(db => db.AuditEvents.Where(e => e.EntityId == id.ToString() && e.Action == Core.Auditing.AuditActions.ItemRevisionAccepted).Select(e => e.Data).Single());
        var change = System.Text.Json.JsonDocument.Parse(data!).RootElement.GetProperty("changes").EnumerateArray().Single(c => c.GetProperty("field").GetString() == "category");
        Assert.Equal(stored, change.GetProperty("after").GetString());
    }
}
