using Cms.Application.Assignment;
using Cms.Application.Comments;
using Cms.Application.Importing;
using Cms.Application.Items;
using Cms.Application.Notifications;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Talk;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Tests.Talk;

// Every kind of inbox entry, each written by its cause; each test fails without its hook.
public sealed class NotificationTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private async Task<long> ItemAsync(TestItem? item = null) => (await app.ImportAsync((item ?? new TestItem()).ToYaml()))[0];

    private Task<Outcome<long>> CommentAsync(Actor actor, long item, string body, long? replyTo = null) =>
        app.RunAsync(s => s.GetRequiredService<ItemComments>().AddAsync(actor, new(item, body, replyTo), CancellationToken.None));

    private async Task MoveAsync(Actor actor, long item, WorkflowAction action, string? reason = null)
    {
        var outcome = await app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(actor, new(item, action, reason), CancellationToken.None));
        Assert.True(outcome.Succeeded, outcome.Message);
    }

    private async Task EditAsync(Actor actor, long item, int quality)
    {
        var version = app.Read(db => db.Items.Single(i => i.Id == item).Version);
        var outcome = await app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(actor,
            new SaveItemEdits.Command(item, version, quality, null, [], [], null), CancellationToken.None));
        Assert.True(outcome.Succeeded, outcome.Message);
    }

    [Fact]
    public async Task A_mention_reaches_the_mentioned_person_with_the_comment()
    {
        var item = await ItemAsync();
        var alice = await People.CreateAsync(app, Roles.Editor);
        var bob = await People.CreateAsync(app, Roles.Editor);

        var comment = await CommentAsync(alice, item, $"@{bob.Name} please check");

        var entry = Assert.Single(People.InboxOf(app, bob));
        Assert.Equal((NotificationKinds.Mention, item, comment.Value, alice.UserId), (entry.Kind, entry.ItemId, entry.CommentId, entry.ActorId));
        Assert.Empty(People.InboxOf(app, alice));
    }

    [Fact]
    public async Task A_reply_reaches_everyone_in_the_thread_but_its_author()
    {
        var item = await ItemAsync();
        var alice = await People.CreateAsync(app, Roles.Editor);
        var bob = await People.CreateAsync(app, Roles.Editor);
        var carol = await People.CreateAsync(app, Roles.Publisher);
        var thread = await CommentAsync(alice, item, "Is the date right?");
        await CommentAsync(bob, item, "Checking", thread.Value);

        await CommentAsync(carol, item, "It is", thread.Value);

        Assert.Equal([NotificationKinds.Reply, NotificationKinds.Reply], People.InboxOf(app, alice).Select(n => n.Kind));
        Assert.Equal([NotificationKinds.Reply], People.InboxOf(app, bob).Select(n => n.Kind));
        Assert.Empty(People.InboxOf(app, carol));
    }

    [Fact]
    public async Task An_assignment_reaches_the_assignee_and_is_audited()
    {
        var item = await ItemAsync();
        var alice = await People.CreateAsync(app, Roles.Editor);
        var bob = await People.CreateAsync(app, Roles.Editor);

        var outcome = await app.RunAsync(s => s.GetRequiredService<ItemAssignments>().AssignAsync(alice, item, bob.UserId, CancellationToken.None));

        Assert.True(outcome.Succeeded, outcome.Message);
        Assert.Equal(NotificationKinds.Assigned, Assert.Single(People.InboxOf(app, bob)).Kind);
        Assert.Equal(1, app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.ItemAssigned && a.EntityId == item.ToString())));
    }

    [Fact]
    public async Task An_item_is_assigned_only_to_someone_who_may_read_items()
    {
        var item = await ItemAsync();
        var alice = await People.CreateAsync(app, Roles.Editor);
        var outsider = await People.CreateAsync(app, role: null);

        var outcome = await app.RunAsync(s => s.GetRequiredService<ItemAssignments>().AssignAsync(alice, item, outsider.UserId, CancellationToken.None));
        var byOutsider = await app.RunAsync(s => s.GetRequiredService<ItemAssignments>().AssignAsync(outsider, item, alice.UserId, CancellationToken.None));

        Assert.Equal(OutcomeStatus.Invalid, outcome.Status);
        Assert.Equal(OutcomeStatus.Forbidden, byOutsider.Status);
        Assert.Empty(app.Read(db => db.ItemAssignments.Where(a => a.ItemId == item).ToList()));
    }

    [Fact]
    public async Task Sending_back_tells_whoever_marked_it_ready_with_the_reason()
    {
        var item = await ItemAsync();
        var bob = await People.CreateAsync(app, Roles.Editor);
        var alice = await People.CreateAsync(app, Roles.Publisher);
        await MoveAsync(bob, item, WorkflowAction.MarkReady);

        await MoveAsync(alice, item, WorkflowAction.SendBack, "Headline needs a source");

        var entry = Assert.Single(People.InboxOf(app, bob));
        Assert.Equal((NotificationKinds.SentBack, "Headline needs a source", alice.UserId), (entry.Kind, entry.Reason, entry.ActorId));
    }

    [Fact]
    public async Task Rejecting_tells_the_editors_and_the_assignee_with_the_reason()
    {
        var item = await ItemAsync();
        var bob = await People.CreateAsync(app, Roles.Editor);
        var dora = await People.CreateAsync(app, Roles.Editor);
        var alice = await People.CreateAsync(app, Roles.Publisher);
        await EditAsync(bob, item, 70);
        await app.RunAsync(s => s.GetRequiredService<ItemAssignments>().AssignAsync(alice, item, dora.UserId, CancellationToken.None));

        await MoveAsync(alice, item, WorkflowAction.Reject, "Duplicate story");

        var entry = Assert.Single(People.InboxOf(app, bob));
        Assert.Equal((NotificationKinds.Rejected, "Duplicate story"), (entry.Kind, entry.Reason));
        Assert.Equal([NotificationKinds.Assigned, NotificationKinds.Rejected], People.InboxOf(app, dora).Select(n => n.Kind));
        Assert.Empty(People.InboxOf(app, alice));
    }

    [Fact]
    public async Task A_source_revision_on_an_item_I_edited_reaches_me()
    {
        var source = new TestItem { Quality = 40 };
        var item = await ItemAsync(source);
        var bob = await People.CreateAsync(app, Roles.Editor);
        var carol = await People.CreateAsync(app, Roles.Editor);
        await EditAsync(bob, item, 75);

        var files = new[] { ImportSources.FromBytes($"{Guid.NewGuid():N}.txt", System.Text.Encoding.UTF8.GetBytes((source with { Quality = 41 }).ToYaml())) };
        var import = await app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None));
        Assert.Equal(1, import.Value!.Revisions);

        var entry = Assert.Single(People.InboxOf(app, bob));
        Assert.Equal((NotificationKinds.SourceRevision, item, "system:importer"), (entry.Kind, entry.ItemId, entry.ActorName));
        Assert.Empty(People.InboxOf(app, carol));
    }

    [Fact]
    public async Task A_comment_on_an_item_I_marked_ready_reaches_me_once()
    {
        var item = await ItemAsync();
        var bob = await People.CreateAsync(app, Roles.Editor);
        var alice = await People.CreateAsync(app, Roles.Publisher);
        await MoveAsync(bob, item, WorkflowAction.MarkReady);

        await CommentAsync(alice, item, "Publishing after lunch");
        await CommentAsync(alice, item, $"@{bob.Name} one more thing");

        Assert.Equal([NotificationKinds.CommentOnReady, NotificationKinds.Mention], People.InboxOf(app, bob).Select(n => n.Kind));
    }

    [Fact]
    public async Task Marking_read_touches_only_my_own_entries_and_is_audited()
    {
        var item = await ItemAsync();
        var alice = await People.CreateAsync(app, Roles.Editor);
        var bob = await People.CreateAsync(app, Roles.Editor);
        await CommentAsync(alice, item, $"@{bob.Name} one");
        await CommentAsync(bob, item, $"@{alice.Name} two");
        var bobs = People.InboxOf(app, bob).Single().Id;

        var byAlice = await app.RunAsync(s => s.GetRequiredService<Inbox>().MarkReadAsync(alice, [bobs], CancellationToken.None));
        var unreadForBob = await app.RunAsync(s => s.GetRequiredService<Inbox>().UnreadCountAsync(bob, CancellationToken.None));
        var byBob = await app.RunAsync(s => s.GetRequiredService<Inbox>().MarkReadAsync(bob, null, CancellationToken.None));

        Assert.Equal("Nothing unread.", byAlice.Message);
        Assert.Equal(1, unreadForBob);
        Assert.True(byBob.Succeeded);
        Assert.NotNull(People.InboxOf(app, bob).Single().ReadAt);
        Assert.Null(People.InboxOf(app, alice).Single().ReadAt);
        Assert.Equal(1, app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.NotificationsRead && a.EntityId == bob.UserId)));
    }

    [Fact]
    public async Task The_inbox_shows_current_names_titles_and_the_comment()
    {
        var title = "Inbox story " + Guid.NewGuid().ToString("N")[..6];
        var item = await ItemAsync(new TestItem { Title = title });
        var alice = await People.CreateAsync(app, Roles.Editor);
        var bob = await People.CreateAsync(app, Roles.Editor);
        await CommentAsync(alice, item, $"@{bob.Name} have a look");

        var entry = Assert.Single(await app.RunAsync(s => s.GetRequiredService<Inbox>().PageAsync(bob, null, unreadOnly: false, CancellationToken.None)));

        Assert.Equal((title, alice.Name, false), (entry.ItemTitle, entry.Actor, entry.Read));
        Assert.Contains("have a look", entry.CommentPreview);
        Assert.Equal("mentioned you", entry.Says);
    }

    private Task LockAsync(Actor person) => app.RunAsync(s => s.GetRequiredService<Data.CmsDbContext>().Users.Where(u => u.Id == person.UserId)
        .ExecuteUpdateAsync(u => u.SetProperty(x => x.LockoutEnd, DateTimeOffset.UtcNow.AddDays(1))));

    private Task DropRolesAsync(Actor person) => app.RunAsync(s => s.GetRequiredService<Data.CmsDbContext>().UserRoles.Where(r => r.UserId == person.UserId)
        .ExecuteDeleteAsync());

    // Inbox entries carry titles and comment text: only people who may read items now (Readers)
    // get them, whichever cause writes them (EF hooks and the set-based notifier alike).
    [Fact]
    public async Task A_locked_or_role_less_account_is_not_notified_of_replies_comments_on_ready_or_a_send_back()
    {
        var item = await ItemAsync();
        var alice = await People.CreateAsync(app, Roles.Publisher);
        var locked = await People.CreateAsync(app, Roles.Editor);
        var roleless = await People.CreateAsync(app, Roles.Editor);
        var thread = await CommentAsync(locked, item, "Started by someone about to be locked");
        await EditAsync(locked, item, 3);
        await MoveAsync(roleless, item, WorkflowAction.MarkReady);
        await LockAsync(locked);
        await DropRolesAsync(roleless);

        await CommentAsync(alice, item, "Reply in the thread", thread.Value);
        await MoveAsync(alice, item, WorkflowAction.SendBack, "Needs a source");

        Assert.Empty(People.InboxOf(app, locked));
        Assert.Empty(People.InboxOf(app, roleless));
    }

    [Fact]
    public async Task The_reader_rule_in_sql_picks_the_same_people_as_in_csharp()
    {
        var active = await People.CreateAsync(app, Roles.Editor);
        var disabled = await People.CreateAsync(app, Roles.Publisher);
        var locked = await People.CreateAsync(app, Roles.Editor);
        var lockExpired = await People.CreateAsync(app, Roles.Editor);
        var roleless = await People.CreateAsync(app, role: null);
        var admin = await People.CreateAsync(app, Roles.Admin);
        var ids = new[] { active, disabled, locked, lockExpired, roleless, admin }.Select(p => p.UserId!).ToArray();
        await app.RunAsync(s => s.GetRequiredService<Data.CmsDbContext>().Users.Where(u => u.Id == disabled.UserId)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.DisabledAt, DateTimeOffset.UtcNow)));
        await LockAsync(locked);
        await app.RunAsync(s => s.GetRequiredService<Data.CmsDbContext>().Users.Where(u => u.Id == lockExpired.UserId)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.LockoutEnd, DateTimeOffset.UtcNow.AddMinutes(-1))));
        var now = DateTimeOffset.UtcNow;

        var inCsharp = app.Read(db => Application.People.Readers.Of(db, now).Where(u => ids.Contains(u.Id)).Select(u => u.Id).ToList());
        var inSql = await app.RunAsync(async s =>
        {
            await using var conn = new Npgsql.NpgsqlConnection(app.ConnectionString);
            await conn.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand($"""SELECT u.id FROM "AspNetUsers" u WHERE u.id = ANY(@ids) AND {Application.People.Readers.SqlCondition("u")}""", conn);
            command.Parameters.AddWithValue("ids", ids);
            command.Parameters.AddRange(Application.People.Readers.Parameters(now));
            var found = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                found.Add(reader.GetString(0));
            }
            return found;
        });

        Assert.Equal(new[] { active.UserId, lockExpired.UserId, admin.UserId }.Order(), inCsharp.Order());
        Assert.Equal(inCsharp.Order(), inSql.Order());
    }

    [Fact]
    public async Task Mark_all_read_is_one_update_without_loading_ids_and_audits_the_count()
    {
        var item = await ItemAsync();
        var alice = await People.CreateAsync(app, Roles.Editor);
        var bob = await People.CreateAsync(app, Roles.Editor);
        foreach (var n in Enumerable.Range(0, 3))
        {
            await CommentAsync(alice, item, $"@{bob.Name} number {n}");
        }
        var log = new CommandLog();
        await using var db = log.Context(app.ConnectionString);

        var outcome = await new Inbox(db).MarkReadAsync(bob, null, CancellationToken.None);

        Assert.Equal("3 marked read.", outcome.Message);
        var update = Assert.Single(log.Touching("notifications"));
        Assert.StartsWith("UPDATE", update.TrimStart());
        Assert.DoesNotContain("ANY", update);
        Assert.All(People.InboxOf(app, bob), n => Assert.NotNull(n.ReadAt));
        var audit = app.Read(db => db.AuditEvents.Single(a => a.Action == AuditActions.NotificationsRead && a.EntityId == bob.UserId));
        Assert.Contains("\"count\":3", audit.Payload.Replace(" ", ""));
    }

    [Fact]
    public async Task Marking_read_without_an_account_is_refused_through_the_guard_and_audited()
    {
        var outcome = await app.RunAsync(s => s.GetRequiredService<Inbox>().MarkReadAsync(Actor.CommandLine(), null, CancellationToken.None));

        Assert.Equal(OutcomeStatus.Forbidden, outcome.Status);
        Assert.Equal(1, app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.AuthorizationRefused && a.Payload.Contains(AuditActions.NotificationsRead))));
    }
}
