using Cms.Application.Stories;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Data.Entities;
using Cms.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Cms.Application.Tests.Stories;

// REVIEW6 #4: an item merged into a lead whose own source already listed its URL added no link (its
// coverage was the lead's source entry); when that lead is merged into another, the item follows
// it and its URL must become a Pending link of the new lead, or its coverage is published nowhere.
public sealed class MergeFollowTests(ApplicationFixture fixture, ITestOutputHelper output) : IClassFixture<ApplicationFixture>
{
    private async Task<Outcome> Ok(Func<IServiceProvider, Task<Outcome>> work)
    {
        var outcome = await fixture.RunAsync(work);
        output.WriteLine($"{outcome.Status}: {outcome.Message}");
        Assert.True(outcome.Succeeded, outcome.Message);
        return outcome;
    }

    [Fact]
    public async Task An_item_whose_url_its_first_lead_already_listed_keeps_its_coverage_on_the_new_lead_as_a_pending_link_audited()
    {
        var mUrl = "https://c.example/story/" + Unique.Tag();
        var ids = await fixture.ImportAsync(
            new TestItem { ProviderDomain = "a.example", ProviderName = "A" }.ToYaml(),
            new TestItem { ProviderDomain = "b.example", ProviderName = "B", Related = [("C's telling", mUrl)] }.ToYaml(),
            new TestItem { ProviderDomain = "c.example", ProviderName = "C", OriginalUrl = mUrl }.ToYaml());
        var (l2, l, m) = (ids[0], ids[1], ids[2]);
        var editor = Actors.Editor();
        await Ok(s => s.GetRequiredService<MoveItem>().HandleAsync(editor, new MoveItem.Request(l, l2), CancellationToken.None));
        await Ok(s => s.GetRequiredService<MoveItem>().HandleAsync(editor, new MoveItem.Request(m, l2), CancellationToken.None));
        var first = await Ok(s => s.GetRequiredService<MergeItems>().HandleAsync(editor, new MergeItems.Request(l, [m]), CancellationToken.None));
        Assert.Contains($"#{m}: the URL is already a link of #{l}", first.Message);

        var second = await Ok(s => s.GetRequiredService<MergeItems>().HandleAsync(editor, new MergeItems.Request(l2, [l]), CancellationToken.None));

        Assert.Equal(l2, fixture.Read(db => db.Items.Single(i => i.Id == m).MergedIntoId));
        var links = fixture.Read(db => db.RelatedLinks.Where(x => x.ItemId == l2).OrderBy(x => x.Position)
            .Select(x => new { x.Url, x.MergedFromItemId, x.Decision, x.Identity }).ToList());
        var coverage = Assert.Single(links, x => x.Url == mUrl);
        Assert.Equal((m, LinkDecision.Pending, LinkIdentity.Of(mUrl)), (coverage.MergedFromItemId, coverage.Decision, coverage.Identity));
        Assert.Contains($"#{m} (merged into #{l} before): its link was added to #{l2}", second.Message);
        var followed = fixture.Read(db => db.AuditEvents.Where(e => e.Action == AuditActions.ItemMerged && e.EntityId == m.ToString()).OrderBy(e => e.Id).Select(e => e.Payload).ToList());
        Assert.Equal(2, followed.Count);
        Assert.Contains($"\"withLead\":{l}", followed[1]);
        Assert.Contains("\"linkAdded\":true", followed[1]);
    }
}
