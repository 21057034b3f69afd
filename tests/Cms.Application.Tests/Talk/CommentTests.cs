using Cms.Testing;
using Cms.Application.Comments;
using Cms.Core.Auditing;
using Cms.Core.Talk;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests.Talk;

public sealed class CommentTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private Task<Outcome<long>> AddAsync(Actor actor, ItemComments.NewComment comment) =>
        app.RunAsync(s => s.GetRequiredService<ItemComments>().AddAsync(actor, comment, CancellationToken.None));

    private Task<Outcome> RunAsync(Func<ItemComments, Task<Outcome>> work) => app.RunAsync(s => work(s.GetRequiredService<ItemComments>()));

    private async Task<long> ItemAsync(params (string Title, string Url)[] related) =>
        (await app.ImportAsync(new TestItem { Related = related }.ToYaml()))[0];

    private List<Data.Entities.AuditEvent> Events(long item, string action) =>
        app.Read(db => db.AuditEvents.Where(a => a.EntityId == item.ToString() && a.Action == action).OrderBy(a => a.Id).ToList());

    [Fact]
    public async Task A_comment_is_stored_as_plain_text_with_its_audit_event()
    {
        var item = await ItemAsync();
        var alice = await People.CreateAsync(app, Roles.Editor);

        var added = await AddAsync(alice, new(item, "  <b>Check</b> the figures\r\nplease  "));

        Assert.True(added.Succeeded, added.Result.Message);
        var stored = app.Read(db => db.Comments.Single(c => c.Id == added.Value));
        Assert.Equal("<b>Check</b> the figures\nplease", stored.Body);
        Assert.Equal(alice.UserId, stored.AuthorId);
        var audit = Assert.Single(Events(item, AuditActions.CommentAdded));
        Assert.Contains("the figures", audit.Payload);
        Assert.Equal(alice.UserId, audit.ActorId);
    }

    // REVIEW7 #10: the thread, a link's comment line, the inbox and the e-mail digest all show the
    // stored body, so it is stored without the override that would draw the link reversed.
    [Fact]
    public async Task A_comment_is_stored_without_bidi_and_zero_width_characters_and_an_edit_likewise()
    {
        var item = await ItemAsync();
        var alice = await People.CreateAsync(app, Roles.Editor);

        var added = await AddAsync(alice, new(item, "Source is fine: https://files.example/report-\u202Efdp.exe o\u200Bk"));
        Assert.True(added.Succeeded, added.Result.Message);
        Assert.Equal("Source is fine: https://files.example/report-fdp.exe ok", app.Read(db => db.Comments.Single(c => c.Id == added.Value).Body));

        var edited = await RunAsync(c => c.EditAsync(alice, added.Value, "Now \u2066see\u2069 https://files.example/a\u202Egnp.exe", CancellationToken.None));
        Assert.True(edited.Succeeded, edited.Message);
        Assert.Equal("Now see https://files.example/agnp.exe", app.Read(db => db.Comments.Single(c => c.Id == added.Value).Body));
    }

    [Theory]
    [InlineData("   ", "Write something first.")]
    [InlineData("\u200B\u202E\u2060", "Write something first.")]
    [InlineData("bell \u0007 here", "control character")]
    public async Task A_blank_or_control_character_comment_is_refused_with_a_reason(string body, string reason)
    {
        var item = await ItemAsync();
        var alice = await People.CreateAsync(app, Roles.Editor);

        var added = await AddAsync(alice, new(item, body));

        Assert.Equal(OutcomeStatus.Invalid, added.Result.Status);
        Assert.Contains(reason, added.Result.Message);
        Assert.Empty(Events(item, AuditActions.CommentAdded));
    }

    [Fact]
    public async Task A_comment_anchors_to_a_field_or_to_a_related_link_by_its_identity()
    {
        var item = await ItemAsync(("Other outlet", "https://Other.Example:443/story?id=1#top"));
        var alice = await People.CreateAsync(app, Roles.Editor);

        var onField = await AddAsync(alice, new(item, "Title is off", AnchorField: "title"));
        var onLink = await AddAsync(alice, new(item, "Paywalled", AnchorUrl: "HTTPS://other.example/story?id=1#top"));
        var withoutFragment = await AddAsync(alice, new(item, "?", AnchorUrl: "https://other.example/story?id=1"));
        var unknownLink = await AddAsync(alice, new(item, "?", AnchorUrl: "https://elsewhere.example/"));
        var unknownField = await AddAsync(alice, new(item, "?", AnchorField: "secured"));

        Assert.True(onField.Succeeded && onLink.Succeeded);
        Assert.Equal("https://other.example/story?id=1#top", app.Read(db => db.Comments.Single(c => c.Id == onLink.Value).AnchorUrl));
        Assert.Contains("no related link with that URL", withoutFragment.Result.Message);
        Assert.Contains("no related link with that URL", unknownLink.Result.Message);
        Assert.Contains("not a field", unknownField.Result.Message);
    }

    [Fact]
    public async Task Comments_anchored_by_a_url_without_its_fragment_move_to_the_first_link_with_that_url_once()
    {
        var item = await ItemAsync(("Plain", "https://plain.example/a"), ("Two", "https://frag.example/a#two"), ("Three", "https://frag.example/a#three"));
        var alice = await People.CreateAsync(app, Roles.Editor);
        var onTwo = await AddAsync(alice, new(item, "Old anchor", AnchorUrl: "https://frag.example/a#two"));
        var onPlain = await AddAsync(alice, new(item, "Still right", AnchorUrl: "https://plain.example/a"));
        // As comments were anchored before anchors were identities: the URL without its fragment.
        app.Read(db => db.Comments.Where(c => c.Id == onTwo.Value).ExecuteUpdate(u => u.SetProperty(c => c.AnchorUrl, "https://frag.example/a")));

        var moved = await app.RunAsync(s => s.GetRequiredService<Setup.LinkIdentityBackfill>().ReanchorCommentsAsync(CancellationToken.None));

        Assert.Equal(1, moved);
        Assert.Equal("https://frag.example/a#two", app.Read(db => db.Comments.Single(c => c.Id == onTwo.Value).AnchorUrl));
        var audited = app.Read(db => db.AuditEvents.Where(a => a.Action == AuditActions.CommentsReanchored).OrderBy(a => a.Id).ToList()).Last();
        Assert.Equal("system:setup", audited.Actor);
        Assert.Contains($"\"comment\":{onTwo.Value},", audited.Data);
        Assert.Equal("https://plain.example/a", app.Read(db => db.Comments.Single(c => c.Id == onPlain.Value).AnchorUrl));
        Assert.Equal(0, await app.RunAsync(s => s.GetRequiredService<Setup.LinkIdentityBackfill>().ReanchorCommentsAsync(CancellationToken.None)));
    }

    [Fact]
    public async Task Replies_go_one_level_deep()
    {
        var item = await ItemAsync();
        var alice = await People.CreateAsync(app, Roles.Editor);
        var thread = await AddAsync(alice, new(item, "Start"));

        var reply = await AddAsync(alice, new(item, "Reply", ReplyTo: thread.Value));
        var nested = await AddAsync(alice, new(item, "Reply to a reply", ReplyTo: reply.Value));

        Assert.True(reply.Succeeded);
        Assert.Equal(OutcomeStatus.Invalid, nested.Result.Status);
        Assert.Contains("one level", nested.Result.Message);
    }

    [Fact]
    public async Task A_mention_is_stored_as_the_account_id_where_the_name_stood()
    {
        var item = await ItemAsync();
        var alice = await People.CreateAsync(app, Roles.Editor);
        var bob = await People.CreateAsync(app, Roles.Publisher);
        var body = $"Can you look, @{bob.Name.ToUpperInvariant()}? Mail me at someone@example.com";

        var added = await AddAsync(alice, new(item, body));

        Assert.True(added.Succeeded, added.Result.Message);
        var mention = Assert.Single(app.Read(db => db.CommentMentions.Where(m => m.CommentId == added.Value).ToList()));
        Assert.Equal(bob.UserId, mention.UserId);
        Assert.Equal(body.IndexOf('@'), mention.Start);
        Assert.Equal(bob.Name.Length + 1, mention.Length);
    }

    [Fact]
    public async Task A_mention_of_someone_who_cannot_read_the_item_is_refused()
    {
        var item = await ItemAsync();
        var alice = await People.CreateAsync(app, Roles.Editor);
        var outsider = await People.CreateAsync(app, role: null);
        var disabled = await People.CreateAsync(app, Roles.Editor);
        await app.RunAsync(s => s.GetRequiredService<CmsDbContext>().Users.Where(u => u.Id == disabled.UserId)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.DisabledAt, DateTimeOffset.UtcNow)));

        var toOutsider = await AddAsync(alice, new(item, $"@{outsider.Name} see this"));
        var toDisabled = await AddAsync(alice, new(item, $"@{disabled.Name} see this"));

        Assert.Equal(OutcomeStatus.Invalid, toOutsider.Result.Status);
        Assert.Contains($"{outsider.Name} cannot read this item", toOutsider.Result.Message);
        Assert.Contains($"{disabled.Name} cannot read this item", toDisabled.Result.Message);
        Assert.Empty(app.Read(db => db.Comments.Where(c => c.ItemId == item).ToList()));
        Assert.Empty(People.InboxOf(app, outsider));
    }

    [Fact]
    public async Task Edit_and_delete_by_the_author_are_audited_with_the_original_text()
    {
        var item = await ItemAsync();
        var alice = await People.CreateAsync(app, Roles.Editor);
        var id = (await AddAsync(alice, new(item, "First words"))).Value;

        var edited = await RunAsync(c => c.EditAsync(alice, id, "Second words", CancellationToken.None));
        var deleted = await RunAsync(c => c.DeleteAsync(alice, id, CancellationToken.None));

        Assert.True(edited.Succeeded && deleted.Succeeded);
        Assert.Contains("\"before\":\"First words\",\"after\":\"Second words\"", Assert.Single(Events(item, AuditActions.CommentEdited)).Payload);
        Assert.Contains("\"before\":\"Second words\"", Assert.Single(Events(item, AuditActions.CommentDeleted)).Payload);
        var stored = app.Read(db => db.Comments.Single(c => c.Id == id));
        Assert.Equal("", stored.Body);
        Assert.NotNull(stored.DeletedAt);
    }

    [Fact]
    public async Task Only_the_author_edits_and_only_within_the_window()
    {
        var item = await ItemAsync();
        var alice = await People.CreateAsync(app, Roles.Editor);
        var bob = await People.CreateAsync(app, Roles.Editor);
        var id = (await AddAsync(alice, new(item, "Mine"))).Value;

        var byBob = await RunAsync(c => c.EditAsync(bob, id, "Bob's now", CancellationToken.None));
        await app.RunAsync(s => s.GetRequiredService<CmsDbContext>().Comments.Where(c => c.Id == id)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.CreatedAt, DateTimeOffset.UtcNow.AddHours(-1))));
        var late = await RunAsync(c => c.DeleteAsync(alice, id, CancellationToken.None));

        Assert.Equal(OutcomeStatus.Forbidden, byBob.Status);
        Assert.Equal(OutcomeStatus.Invalid, late.Status);
        Assert.Contains("15 minutes", late.Message);
        Assert.Equal("Mine", app.Read(db => db.Comments.Single(c => c.Id == id).Body));
        Assert.Single(Events(item, AuditActions.AuthorizationRefused));
    }

    [Fact]
    public async Task A_thread_is_resolved_and_reopened_with_audit_events()
    {
        var item = await ItemAsync();
        var alice = await People.CreateAsync(app, Roles.Editor);
        var bob = await People.CreateAsync(app, Roles.Editor);
        var id = (await AddAsync(alice, new(item, "Blocker", Blocking: true))).Value;

        var resolved = await RunAsync(c => c.ResolveAsync(bob, id, resolved: true, CancellationToken.None));
        var open = app.Read(db => db.Comments.Count(c => c.ItemId == item && c.Blocking && c.ResolvedAt == null));
        var reopened = await RunAsync(c => c.ResolveAsync(alice, id, resolved: false, CancellationToken.None));

        Assert.True(resolved.Succeeded && reopened.Succeeded);
        Assert.Equal(0, open);
        Assert.Equal(1, app.Read(db => db.Comments.Count(c => c.ItemId == item && c.Blocking && c.ResolvedAt == null)));
        Assert.Single(Events(item, AuditActions.CommentResolved));
        Assert.Single(Events(item, AuditActions.CommentReopened));
    }

    [Fact]
    public async Task Comments_need_an_account_with_review_rights()
    {
        var item = await ItemAsync();
        var outsider = await People.CreateAsync(app, role: null);

        var byOutsider = await AddAsync(outsider, new(item, "hello"));
        var byCli = await AddAsync(Actor.CommandLine(), new(item, "hello"));

        Assert.Equal(OutcomeStatus.Forbidden, byOutsider.Result.Status);
        Assert.Equal(OutcomeStatus.Forbidden, byCli.Result.Status);
        Assert.Equal(2, Events(item, AuditActions.AuthorizationRefused).Count);
    }

    [Fact]
    public async Task An_open_blocking_thread_older_than_the_newest_threads_is_shown_and_replies_are_capped_saying_how_many_are_hidden()
    {
        var item = await ItemAsync();
        var alice = await People.CreateAsync(app, Roles.Editor);
        var blocking = await AddAsync(alice, new(item, "Check the source first", Blocking: true));
        var chatty = await AddAsync(alice, new(item, "Long talk"));
        var now = DateTimeOffset.UtcNow;
        await app.RunAsync(async s =>
        {
            var db = s.GetRequiredService<CmsDbContext>();
            db.Comments.AddRange(Enumerable.Range(0, CommentThreads.MaxReplies + 5).Select(i => new Data.Entities.Comment
                { ItemId = item, ParentId = chatty.Value, AuthorId = alice.UserId!, Body = $"reply {i}", CreatedAt = now }));
            db.Comments.AddRange(Enumerable.Range(0, CommentThreads.MaxThreads).Select(i => new Data.Entities.Comment
                { ItemId = item, AuthorId = alice.UserId!, Body = $"thread {i}", CreatedAt = now }));
            return await db.SaveChangesAsync();
        });

        var panel = await app.RunAsync(s => s.GetRequiredService<CommentThreads>().ForItemAsync(alice, item, CancellationToken.None));

        Assert.True(panel.Truncated);
        Assert.Equal(CommentThreads.MaxThreads + 1, panel.Threads.Count);
        Assert.Equal(blocking.Value, panel.Threads[0].Start.Id);
        Assert.Equal(1, panel.OpenBlocking);
        Assert.DoesNotContain(panel.Threads, t => t.Start.Id == chatty.Value);

        await app.RunAsync(s => s.GetRequiredService<CmsDbContext>().Comments.Where(c => c.ItemId == item && c.ParentId == null && c.Body.StartsWith("thread"))
            .ExecuteDeleteAsync());
        var small = await app.RunAsync(s => s.GetRequiredService<CommentThreads>().ForItemAsync(alice, item, CancellationToken.None));
        var talk = Assert.Single(small.Threads, t => t.Start.Id == chatty.Value);
        Assert.Equal(CommentThreads.MaxReplies, talk.Replies.Count);
        Assert.Equal(5, talk.HiddenReplies);
        Assert.Equal($"reply {CommentThreads.MaxReplies + 4}", talk.Replies[^1].Body);
    }

    [Fact]
    public async Task A_comment_beyond_the_most_an_item_holds_is_refused_with_the_reason()
    {
        var item = await ItemAsync();
        var alice = await People.CreateAsync(app, Roles.Editor);
        Task<Outcome<long>> Add(string body) => app.RunAsync(s =>
            new ItemComments(s.GetRequiredService<CmsDbContext>(), new CommentOptions { MaxPerItem = 2 }).AddAsync(alice, new(item, body), CancellationToken.None));

        var first = await Add("one");
        var second = await Add("two");
        var third = await Add("three");

        Assert.True(first.Succeeded && second.Succeeded);
        Assert.Equal(OutcomeStatus.Invalid, third.Result.Status);
        Assert.Contains("already has 2 comments", third.Result.Message);
        Assert.Equal(2, app.Read(db => db.Comments.Count(c => c.ItemId == item)));
    }

    // Two comments added at once, both held at a gate (the comments table locked) until each waits:
    // the cap is counted under the item's lock, so only one gets in.
    [Fact]
    public async Task Two_comments_added_at_once_cannot_both_pass_the_cap()
    {
        var item = await ItemAsync();
        var alice = await People.CreateAsync(app, Roles.Editor);
        Task<Outcome<long>> Add(string body) => app.RunAsync(s =>
            new ItemComments(s.GetRequiredService<CmsDbContext>(), new CommentOptions { MaxPerItem = 1 }).AddAsync(alice, new(item, body), CancellationToken.None));
        Outcome<long>[] outcomes;
        await using (var gate = await RowLocks.HoldAsync(app.ConnectionString, "LOCK TABLE comments IN ACCESS EXCLUSIVE MODE"))
        {
            var first = Add("one");
            var second = Add("two");
            await gate.WaitedForByAsync([first, second], "both comments");
            await gate.CommitAsync();
            outcomes = await Task.WhenAll(first, second);
        }

        Assert.Single(outcomes, o => o.Succeeded);
        Assert.Contains("already has 1 comments", Assert.Single(outcomes, o => !o.Succeeded).Result.Message);
        Assert.Equal(1, app.Read(db => db.Comments.Count(c => c.ItemId == item)));
    }
}
