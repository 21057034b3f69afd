using Cms.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Tests.Stories;

// Batches of two files, so one import writes several batches.
public sealed class SmallBatchFixture : ApplicationFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Import:BatchFiles", "2")];
}

public sealed class GroupingOffFixture : ApplicationFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Stories:Grouping", "false"), new("Import:BatchFiles", "2")];
}

// Story ids of new items: with grouping off each new item is a story of its own, its id reserved
// with the item's id in the batch's topics-and-ids statement (TopicVocabulary.EnsureFromImportAsync);
// with grouping on only grouping reserves them, one per new story.
public sealed class ImportStoryIdsTests(GroupingOffFixture off, SmallBatchFixture on) : IClassFixture<GroupingOffFixture>, IClassFixture<SmallBatchFixture>
{
    // Five copies of one story, which grouping would put together.
    private static string[] Copies(string tag) => Enumerable.Range(0, 5).Select(i => new TestItem
    {
        Title = $"Harbour authority closes the northern pier after storm damage {tag}",
        Excerpt = $"The harbour authority closed the northern pier on Monday after the storm damaged its supports {tag}.",
        PublishedDateTime = TestItem.Utc(2029, 3, 4, 10 + i),
    }.ToYaml()).ToArray();

    private static long NextStoryId(ApplicationFixture app) =>
        app.Read(db => db.Database.SqlQueryRaw<long>($"SELECT nextval('{Data.CmsDbContext.StoryIdSequence}') AS \"Value\"").AsEnumerable().Single());

    [Fact]
    public async Task With_grouping_off_every_new_item_gets_a_new_story_id_of_its_own_in_item_order()
    {
        var before = NextStoryId(off);

        var ids = await off.ImportAsync(Copies(Unique.Tag()));

        var stories = off.Read(db => ids.Select(id => db.Items.Single(i => i.Id == id).StoryId).ToList());
        Assert.Equal(5, stories.Distinct().Count());
        Assert.All(stories, s => Assert.True(s > before, $"story id {s} is not new (sequence was at {before})"));
        // Items and their story ids ascend together, as when the ids were reserved one list each.
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(stories.Order(), stories);
        // Exactly one story id taken per new item: none reserved twice, none wasted.
        Assert.Equal(before + 6, NextStoryId(off));
    }

    [Fact]
    public async Task With_grouping_on_the_import_takes_story_ids_only_for_the_stories_grouping_creates()
    {
        var before = NextStoryId(on);

        var ids = await on.ImportAsync(Copies(Unique.Tag()));

        var stories = on.Read(db => ids.Select(id => db.Items.Single(i => i.Id == id).StoryId).Distinct().ToList());
        var story = Assert.Single(stories);
        Assert.True(story > before);
        Assert.Equal(before + 2, NextStoryId(on));
    }
}
