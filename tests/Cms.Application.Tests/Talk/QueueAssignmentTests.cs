using Cms.Application.Assignment;
using Cms.Application.Queue;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests.Talk;

public sealed class QueueAssignmentTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private Task<T> Queue<T>(Func<QueueQuery, Task<T>> work) => app.RunAsync(s => work(s.GetRequiredService<QueueQuery>()));

    [Fact]
    public async Task The_queue_shows_the_assignee_by_current_name_and_filters_to_one_persons_items()
    {
        var category = "assigned-" + Guid.NewGuid().ToString("N")[..6];
        var ids = await app.ImportAsync(new TestItem { Category = category }.ToYaml(), new TestItem { Category = category }.ToYaml());
        var alice = await People.CreateAsync(app, Roles.Editor);
        var bob = await People.CreateAsync(app, Roles.Editor);
        await app.RunAsync(s => s.GetRequiredService<ItemAssignments>().AssignAsync(alice, ids[0], bob.UserId, CancellationToken.None));

        var all = await Queue(q => q.PageAsync(new QueueView { Category = category }, CancellationToken.None));
        var bobs = await Queue(q => q.PageAsync(new QueueView { Category = category, Assignee = bob.UserId }, CancellationToken.None));
        var alices = await Queue(q => q.PageAsync(new QueueView { Category = category, Assignee = alice.UserId }, CancellationToken.None));

        Assert.Equal(bob.Name, all.Items.Single(r => r.Id == ids[0]).AssignedTo);
        Assert.Null(all.Items.Single(r => r.Id == ids[1]).AssignedTo);
        Assert.Equal([ids[0]], bobs.Items.Select(r => r.Id));
        Assert.Empty(alices.Items);
    }

    [Fact]
    public async Task New_items_of_a_view_are_counted_from_the_newest_id_the_page_showed()
    {
        var category = "arrivals-" + Guid.NewGuid().ToString("N")[..6];
        await app.ImportAsync(new TestItem { Category = category }.ToYaml());
        var since = await Queue(q => q.NewestIdAsync(CancellationToken.None));

        await app.ImportAsync(new TestItem { Category = category }.ToYaml(), new TestItem { Category = category }.ToYaml(), new TestItem { Category = "other" }.ToYaml());
        var inView = await Queue(q => q.ArrivedSinceAsync(new QueueView { Category = category }, since, CancellationToken.None));
        var everywhere = await Queue(q => q.ArrivedSinceAsync(new QueueView(), since, CancellationToken.None));

        Assert.Equal(2, inView);
        Assert.Equal(3, everywhere);
    }

    [Fact]
    public void An_assignee_with_a_control_character_is_a_problem_of_the_view() =>
        Assert.Contains(new QueueView { Assignee = "a\u0000b" }.Problems(), p => p.Field == "View.Assignee");
}
