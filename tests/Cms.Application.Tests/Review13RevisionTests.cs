using Cms.Application.Importing;
using Cms.Application.Items;
using Cms.Core.Items;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

// REVIEW13 evidence (no fix): KeepRevisionAsync now returns before dismissing the item's pending
// revisions when the newest file differs from the current source by formatting or name case only.
public sealed class Review13RevisionTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private async Task<ImportResultProbe> ImportAsync(string text)
    {
        var files = new[] { ImportSources.FromBytes($"{Guid.NewGuid():N}.txt", System.Text.Encoding.UTF8.GetBytes(text)) };
        var outcome = await app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None));
        return new(outcome.Value!.Revisions, outcome.Value.Unchanged);
    }

    private sealed record ImportResultProbe(int Revisions, int Unchanged);

    // An editor's item; the source then sends a new title (a pending revision), then sends the
    // original content again, only reformatted (a comment line) and with the category in another
    // case. The newest source no longer says the new title: the revision offering it must not stay
    // pending (before this stop it was dismissed and replaced; now it stays, the item flagged).
    [Fact]
    public async Task A_pending_revision_is_not_left_offered_after_the_source_reverts_it_with_formatting_only_differences()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var story = new TestItem { Category = $"Travel {tag}", Topics = [$"Rail {tag}"] };
        var id = (await app.ImportAsync(story.ToYaml()))[0];
        var edit = app.Read(db => new SaveItemEdits.Command(id, db.Items.Single(i => i.Id == id).Version, 42, story.Category, [.. story.Topics!], [], null));
        Assert.True((await app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor(), edit, CancellationToken.None))).Succeeded);

        Assert.Equal(1, (await ImportAsync((story with { Title = story.Title + " (retitled)" }).ToYaml())).Revisions);
        Assert.Equal(1, app.Read(db => db.SourceRevisions.Count(r => r.ItemId == id && r.Status == RevisionStatus.Pending)));

        // The original again: same data, a comment line and the category's case differ (new hash).
        var reverted = (story with { Category = $"TRAVEL {tag}" }).ToYaml().Insert(4, "# resent\n");
        await ImportAsync(reverted);

        var stalePending = app.Read(db => db.SourceRevisions
            .Where(r => r.ItemId == id && r.Status == RevisionStatus.Pending)
            .Select(r => r.SourceYaml).ToList())
            .Count(y => y.Contains("(retitled)"));
        Assert.Equal(0, stalePending);
    }
}
