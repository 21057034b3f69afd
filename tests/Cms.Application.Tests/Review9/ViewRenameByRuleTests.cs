using Cms.Application.Items;
using Cms.Core.Auditing;
using Cms.Core.Text;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests.Review9;

// REVIEW9 evidence: `./cms items reread-text` renames saved views that break today's name rule
// (StoredTextReread.RenameViewsAsync). The rule now refuses noncharacters (REVIEW8 #2), which the
// rename does not remove; and the name is cut for its " (id)" by UTF-16 index.
public sealed class ViewRenameByRuleTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private async Task<List<long>> ViewsAsync(params string[] names)
    {
        var tag = Unique.Tag();
        var owner = Guid.NewGuid().ToString();
        return await app.RunAsync(async s =>
        {
            var db = s.GetRequiredService<CmsDbContext>();
            db.Users.Add(new CmsUser { Id = owner, UserName = $"{tag}@example.com", Email = $"{tag}@example.com" });
            var made = names.Select((name, n) => new SavedView { Name = $"{n} {tag}", OwnerId = owner, OwnerName = $"{tag}@example.com", Query = "state=New", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow }).ToList();
            db.SavedViews.AddRange(made);
            await db.SaveChangesAsync();
            return made.Select(v => v.Id).ToList();
        });
    }

    private Task NameAsync(long id, string name) =>
        app.RunAsync(s => s.GetRequiredService<CmsDbContext>().SavedViews.Where(v => v.Id == id).ExecuteUpdateAsync(u => u.SetProperty(v => v.Name, name)));

    private Task RereadAsync() => app.RunAsync(s => s.GetRequiredService<StoredTextReread>().RunAsync(CancellationToken.None));

    private List<string> Names(List<long> views) => app.Read(db => views.Select(id => db.SavedViews.Single(v => v.Id == id).Name).ToList());

    [Fact]
    public async Task A_view_named_with_a_noncharacter_is_renamed_once_to_a_name_the_rule_keeps()
    {
        var views = await ViewsAsync("x");
        await NameAsync(views[0], "Desk \uFFFE " + views[0]);

        await RereadAsync();
        var first = Names(views);
        await RereadAsync();

        // The second run leaves the view as the first left it, under a name the rule keeps.
        Assert.Equal(first, Names(views));
        Assert.Null(UnicodeText.NameProblem(first[0]));
        var id = views[0].ToString();
        Assert.Equal(1, app.Read(db => db.AuditEvents.Count(e => e.Action == AuditActions.ViewRenamedByRule && e.EntityId == id)));
    }

    [Fact]
    public async Task A_long_view_name_cut_to_make_room_for_its_number_keeps_whole_characters()
    {
        var views = await ViewsAsync("kept", "renamed");
        // The cut falls at 100 - " (id)".Length: put the middle of an emoji there.
        var cut = 100 - $" ({views[1]})".Length;
        var name = (cut % 2 == 0 ? "a" : "") + string.Concat(Enumerable.Repeat("\U0001F600", 49));
        Assert.True(char.IsHighSurrogate(name[cut - 1]));
        await NameAsync(views[0], name);
        // Same name once its invisible character is gone: renamed with its number.
        await NameAsync(views[1], name + "\u200B");

        await RereadAsync();

        var renamed = Names(views)[1];
        Assert.Equal(-1, UnicodeText.FindUnpairedSurrogate(renamed));
        Assert.EndsWith($" ({views[1]})", renamed);
    }
}
