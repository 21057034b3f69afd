using Cms.Application.Delivery;
using Cms.Application.Items;
using Cms.Application.Publishing;
using Cms.Core.Items;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Cms.Application.Tests;

// The app's clock a year after the machine's: whatever in publishing or delivery still read the
// machine's clock (or the database's now()) would see due work as a year away, or a token rotated a
// year ago as long expired.
public sealed class PublishingClockFixture : ApplicationFixture
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow.AddYears(1));

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Publishing:PollSeconds", "172800")];

    protected override void AddServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
}

// One clock in publishing and delivery: the app's TimeProvider.
public sealed class PublishingClockTests(PublishingClockFixture app) : IClassFixture<PublishingClockFixture>
{
    private FakeTimeProvider Clock => app.Clock;

    [Fact]
    public async Task A_schedule_due_on_the_apps_clock_is_published_and_its_file_written_by_the_loop_on_that_clock()
    {
        var id = (await app.ImportAsync(new TestItem { RelatedCount = 0 }.ToYaml()))[0];
        Assert.True((await app.RunAsync(s => s.GetRequiredService<ItemTransitions>()
            .HandleAsync(Actors.Editor(), new ItemTransitions.Request(id, WorkflowAction.MarkReady, null), CancellationToken.None))).Succeeded);
        var due = Clock.GetUtcNow().AddHours(1);
        Assert.True((await app.RunAsync(s => s.GetRequiredService<PublishSchedule>().ScheduleAsync(Actors.Publisher(), id, due, CancellationToken.None))).Succeeded);
        var loop = app.Services.GetRequiredService<PublishingLoop>();

        // Not due yet: the loop sleeps until the schedule's time on the app's clock.
        Assert.Equal(Core.Auditing.AuditRecord.Truncate(due), await loop.RoundAsync(CancellationToken.None));
        Assert.Equal(WorkflowState.Ready, app.Read(db => db.Items.Single(i => i.Id == id).State));

        Clock.Advance(TimeSpan.FromHours(2));
        var wake = await loop.RoundAsync(CancellationToken.None);

        var item = app.Read(db => db.Items.AsNoTracking().Single(i => i.Id == id));
        Assert.Equal(WorkflowState.Published, item.State);
        Assert.True(File.Exists(Path.Combine(app.PublishFolder, item.OutputFile!)), "the job, due on the app's clock, was written");
        Assert.Equal("written", app.Read(db => db.PublishJobs.Single(j => j.ItemId == id).Result));
        Assert.Equal(Clock.GetUtcNow(), app.Read(db => db.PublishJobs.Single(j => j.ItemId == id).CompletedAt!.Value), TimeSpan.FromMilliseconds(1));
        Assert.True(wake >= Clock.GetUtcNow(), $"the loop wakes at {wake:O}, before the app's now {Clock.GetUtcNow():O}");
    }

    [Fact]
    public async Task A_rotated_token_works_for_the_overlap_on_the_apps_clock_and_not_after()
    {
        var name = "clock-" + Unique.Tag();
        var sites = (Func<DeliverySites, Task<Outcome<string>>> f) => app.RunAsync(s => f(s.GetRequiredService<DeliverySites>()));
        var old = await sites(s => s.CreateAsync(Actors.Admin(), name, CancellationToken.None));
        var rotated = await sites(s => s.RotateAsync(Actors.Admin(), name, TimeSpan.FromHours(1), CancellationToken.None));
        Assert.True(old.Succeeded && rotated.Succeeded);
        var site = (Func<string, Task<string?>>)(token => app.RunAsync(s => s.GetRequiredService<DeliverySites>().AuthenticateAsync(token, CancellationToken.None)));

        Assert.Equal(name, await site(old.Value!));
        Clock.Advance(TimeSpan.FromHours(2));
        Assert.Null(await site(old.Value!));
        Assert.Equal(name, await site(rotated.Value!));
    }
}
