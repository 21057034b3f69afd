using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Tests.Items;

// `./cms items reread-text` over a database holding an item whose stored source today's rules
// refuse (POLISH9): the run finishes, names the item with its field and reason, and exits 3 (some
// items left) so an upgrade script notices; with none left it exits 0.
public sealed class RereadCommandTests : WebTest
{
    [Fact]
    public async Task The_command_names_an_item_it_left_and_exits_3_and_exits_0_once_none_is_left()
    {
        var story = new TestItem { Category = "world" };
        await ImportAsync(story);
        var id = ItemId(story);
        var env = new Dictionary<string, string?> { ["ConnectionStrings__Cms"] = ConnectionString };
        var clean = await Repo.RunCmsAsync(env, "items", "reread-text");
        Assert.True(clean.ExitCode == 0, clean.Output + clean.Errors);

        var source = Factory.WithDb(db => db.Items.Single(i => i.Id == id).SourceYaml);
        Assert.Equal(1, Factory.WithDb(db => db.Items.Where(i => i.Id == id)
            .ExecuteUpdate(u => u.SetProperty(i => i.SourceYaml, source.Replace("category: \"world\"", "category: \"World\uFDD0\"")))));
        var left = await Repo.RunCmsAsync(env, "items", "reread-text");

        Assert.Equal(3, left.ExitCode);
        Assert.Contains("1 left as they are", left.Output);
        Assert.Contains($"left: item {id} (", left.Output);
        Assert.Contains("category: contains the noncharacter U+FDD0", left.Output);
    }
}
