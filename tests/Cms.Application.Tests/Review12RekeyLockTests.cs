using Cms.Application.Importing;
using Cms.Application.Items;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

// REVIEW12 evidence (failing test, not a fix): the re-key count (story_rekeys, FIX13) is one row
// that every re-key updates in its writer's transaction. An import batch takes item rows (a
// revision received: items.source_changed) and then that row (an untouched item re-keyed); an
// accepted revision takes that row (StoryKeyUpkeep.RekeyAsync) and then its item's row (the save).
// Before the count, the accept only waited for the import; now the two wait for each other.
public sealed class Review12RekeyLockTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private static ImportFile File(TestItem story) =>
        ImportSources.FromBytes($"{Guid.NewGuid():N}.txt", System.Text.Encoding.UTF8.GetBytes(story.ToYaml()));

    [Fact]
    public async Task Accepting_a_revision_while_an_import_batch_re_keys_another_item_waits_for_it_instead_of_deadlocking()
    {
        var tag = Unique.Tag();
        var edited = new TestItem { Title = $"Harbour strike enters third week {tag}", Quality = 40 };
        var untouched = new TestItem { Title = $"Council votes on new budget {tag}", Quality = 40 };
        var ids = await app.ImportAsync(edited.ToYaml(), untouched.ToYaml());
        var edit = app.Read(db => new SaveItemEdits.Command(ids[0], db.Items.Single(i => i.Id == ids[0]).Version, 70, null, [], [], null));
        Assert.True((await app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor(), edit, CancellationToken.None))).Succeeded);
        var first = await app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, [File(edited with { Title = edited.Title + " (updated)" })], null, CancellationToken.None));
        Assert.Equal(1, first.Value!.Revisions);
        var comparison = (await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().CompareAsync(ids[0], CancellationToken.None)))!;
        var version = app.Read(db => db.Items.Single(i => i.Id == ids[0]).Version);

        // The count's row held a moment (another re-key committing), so both writers queue on it:
        // the accept first, then the import batch, which has by then taken the edited item's row.
        Task<Outcome> accepting;
        Task<Outcome<ImportReport>> importing;
        await using (var hold = await RowLocks.HoldAsync(app.ConnectionString, "UPDATE story_rekeys SET count = count"))
        {
            accepting = app.RunAsync(s => s.GetRequiredService<SourceRevisions>()
                .AcceptAsync(Actors.Publisher(), ids[0], comparison.RevisionId, version, ["title"], CancellationToken.None));
            await hold.WaitedForByAsync(accepting, "the accept", "%story_rekeys%");
            importing = app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline,
                [File(edited with { Title = edited.Title + " (again)" }), File(untouched with { Title = untouched.Title + " (revised)" })], null, CancellationToken.None));
            await hold.WaitedForByAsync([accepting, importing], "the accept and the import", "%story_rekeys%");
            await hold.CommitAsync();
        }

        var failures = new List<string>();
        try
        {
            var accepted = await accepting;
            // Refused as a conflict is fine (the import dismissed the revision); an error is not.
            if (!accepted.Succeeded && accepted.Status != OutcomeStatus.Conflict)
            {
                failures.Add($"accept: {accepted.Status} {accepted.Message}");
            }
        }
        catch (Exception ex)
        {
            failures.Add($"accept threw {ex.GetType().Name}: {ex.Message}");
        }
        try
        {
            var imported = await importing;
            if (!imported.Succeeded || imported.Value!.Problems.Count > 0)
            {
                failures.Add($"import: {imported.Result.Message} {string.Join("; ", imported.Value?.Problems.Select(p => p.Reason) ?? [])}");
            }
        }
        catch (Exception ex)
        {
            failures.Add($"import threw {ex.GetType().Name}: {ex.Message}");
        }
        Assert.Empty(failures);
    }
}
