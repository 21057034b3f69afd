using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Cms.Application.Comments;
using Cms.Application.Live;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Web.Tests.Live;

// The live channel over real sockets, with two app instances sharing one database: a change made
// through one instance reaches browsers connected to the other, presence is shared, a reconnecting
// browser catches up, a signed-out session's stream ends, and a client that stops reading is cut
// off without holding up anyone else.
public sealed class LiveChannelTests(TwoInstancesFixture app) : IClassFixture<TwoInstancesFixture>
{
    private async Task<long> MentionAsync(Actor author, long item, Actor mentioned, string text = "please look")
    {
        await using var scope = app.A.Services.CreateAsyncScope();
        var outcome = await scope.ServiceProvider.GetRequiredService<ItemComments>()
            .AddAsync(author, new ItemComments.NewComment(item, $"@{mentioned.Name} {text}"), CancellationToken.None);
        Assert.True(outcome.Succeeded, outcome.Result.Message);
        return outcome.Value;
    }

    private static long Id(SseEvent e) => JsonDocument.Parse(e.Data).RootElement.GetProperty("id").GetInt64();

    private static async Task<List<string>> OthersAsync(HttpClient client, long item) =>
        (await client.GetFromJsonAsync<JsonElement>($"/live/presence?item={item}")).GetProperty("others").EnumerateArray().Select(e => e.GetString()!).ToList();

    // Each presence event is a cue to look again (the page does the same); returns once the
    // condition holds. Events of the stream's own join may come first.
    private static async Task PresenceUntilAsync(SseStream stream, Func<Task<bool>> holds)
    {
        for (var seen = 0; ; seen++)
        {
            Assert.True(seen < 50, "presence events kept coming without the expected change");
            await stream.NextAsync("presence");
            if (await holds())
            {
                return;
            }
        }
    }

    [Fact]
    public async Task A_mention_made_on_one_instance_reaches_the_mentioned_persons_stream_on_the_other()
    {
        var item = await app.ItemAsync();
        var (alice, _) = await app.PersonAsync(app.A, Roles.Editor);
        var (bob, bobOnB) = await app.PersonAsync(app.B, Roles.Editor);
        await using var stream = await SseStream.OpenAsync(bobOnB, "/live");
        var hello = await stream.NextAsync("hello");

        await MentionAsync(alice, item, bob);

        var notification = await stream.NextAsync("notification");
        var stored = app.A.WithDb(db => db.Notifications.Single(n => n.UserId == bob.UserId));
        Assert.Equal(stored.Id, Id(notification));
        Assert.Equal(stored.Id.ToString(), notification.Id);
        Assert.Contains("\"unread\":0", hello.Data);
        Assert.Contains("\"unread\":1", await bobOnB.GetStringAsync("/live/inbox"));
    }

    [Fact]
    public async Task A_reconnecting_stream_catches_up_from_the_inbox_after_its_Last_Event_ID()
    {
        var item = await app.ItemAsync();
        var (alice, _) = await app.PersonAsync(app.A, Roles.Editor);
        var (bob, bobOnB) = await app.PersonAsync(app.B, Roles.Editor);
        await MentionAsync(alice, item, bob, "one");
        string lastSeen;
        await using (var stream = await SseStream.OpenAsync(bobOnB, "/live"))
        {
            lastSeen = (await stream.NextAsync("hello")).Id!;
        }

        await MentionAsync(alice, item, bob, "two");
        await MentionAsync(alice, item, bob, "three");
        await using var again = await SseStream.OpenAsync(bobOnB, "/live", lastEventId: lastSeen);

        var missed = new[] { await again.NextAsync("notification"), await again.NextAsync("notification") };
        var hello = await again.NextAsync("hello");
        var ids = app.A.WithDb(db => db.Notifications.Where(n => n.UserId == bob.UserId).OrderBy(n => n.Id).Select(n => n.Id).ToList());
        Assert.Equal(ids[1..], missed.Select(Id));
        Assert.Equal(ids[^1].ToString(), hello.Id);
    }

    [Fact]
    public async Task Presence_appears_and_goes_with_the_page_stream_across_instances()
    {
        var item = await app.ItemAsync();
        var (alice, aliceOnA) = await app.PersonAsync(app.A, Roles.Editor);
        var (_, bobOnB) = await app.PersonAsync(app.B, Roles.Editor);
        await using var bobs = await SseStream.OpenAsync(bobOnB, $"/live?item={item}");
        await bobs.NextAsync("hello");

        var alices = await SseStream.OpenAsync(aliceOnA, $"/live?item={item}");
        await PresenceUntilAsync(bobs, async () => (await OthersAsync(bobOnB, item)).SequenceEqual([alice.Name]));
        var page = await bobOnB.GetStringAsync($"/Items/Details/{item}");
        await alices.DisposeAsync();
        await PresenceUntilAsync(bobs, async () => (await OthersAsync(bobOnB, item)).Count == 0);

        Assert.Contains($"<span id=\"presence-names\">{alice.Name}</span>", page);
        Assert.DoesNotMatch("id=\"presence\"[^>]*hidden", page);
    }

    [Fact]
    public async Task Presence_left_by_an_instance_that_died_is_swept_by_the_living()
    {
        var item = await app.ItemAsync();
        var (ghost, _) = await app.PersonAsync(app.A, Roles.Editor);
        var (_, bobOnB) = await app.PersonAsync(app.B, Roles.Editor);
        await using var bobs = await SseStream.OpenAsync(bobOnB, $"/live?item={item}");
        await bobs.NextAsync("hello");

        // A row as a crashed instance leaves it: nobody refreshes it any more.
        app.A.WithDb(db =>
        {
            db.Presence.Add(new Data.Entities.PresenceEntry
            {
                ConnectionId = Guid.NewGuid(), ItemId = item, UserId = ghost.UserId!, Instance = "dead-instance", SeenAt = DateTimeOffset.UtcNow,
            });
            return db.SaveChanges();
        });
        await PresenceUntilAsync(bobs, () => Task.FromResult(!app.A.WithDb(db => db.Presence.Any(p => p.Instance == "dead-instance"))));

        Assert.Empty(await OthersAsync(bobOnB, item));
    }

    [Fact]
    public async Task Signing_out_ends_the_sessions_streams_on_every_instance()
    {
        var (_, bobOnB) = await app.PersonAsync(app.B, Roles.Editor);
        await using var stream = await SseStream.OpenAsync(bobOnB, "/live");
        await stream.NextAsync("hello");

        var page = await bobOnB.GetStringAsync("/");
        await bobOnB.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = Http.AntiforgeryToken(page) }));

        var bye = await stream.NextAsync("bye");
        await stream.EndedWithinSafetyNetAsync();
        Assert.Contains("signed-out", bye.Data);
    }

    // Presence goes with the session: the person's open item page on instance B stops counting as
    // presence for the viewer on A when they sign out or an admin locks their account.
    [Theory]
    [InlineData("sign-out")]
    [InlineData("lock")]
    public async Task Presence_goes_when_the_person_signs_out_or_is_locked(string how)
    {
        var item = await app.ItemAsync();
        var (_, aliceOnA) = await app.PersonAsync(app.A, Roles.Editor);
        var (bob, bobOnB) = await app.PersonAsync(app.B, Roles.Editor);
        var (admin, _) = await app.PersonAsync(app.A, Roles.Admin);
        await using var alices = await SseStream.OpenAsync(aliceOnA, $"/live?item={item}");
        await alices.NextAsync("hello");
        await using var bobs = await SseStream.OpenAsync(bobOnB, $"/live?item={item}");
        await PresenceUntilAsync(alices, async () => (await OthersAsync(aliceOnA, item)).SequenceEqual([bob.Name]));

        if (how == "sign-out")
        {
            var page = await bobOnB.GetStringAsync("/");
            await bobOnB.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = Http.AntiforgeryToken(page) }));
        }
        else
        {
            await using var scope = app.A.Services.CreateAsyncScope();
            var locked = await scope.ServiceProvider.GetRequiredService<Cms.Application.Users.UserAdministration>().LockAsync(admin, bob.UserId!, CancellationToken.None);
            Assert.True(locked.Succeeded, locked.Message);
        }

        await PresenceUntilAsync(alices, async () => (await OthersAsync(aliceOnA, item)).Count == 0);
        await bobs.NextAsync("bye");
        Assert.False(app.A.WithDb(db => db.Presence.Any(p => p.UserId == bob.UserId)));
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_cut_off_and_never_holds_up_the_others()
    {
        var item = await app.ItemAsync();
        var (bob, bobOnA) = await app.PersonAsync(app.A, Roles.Editor);
        var email = bob.Name;
        var cookie = await Http.SignInForCookieAsync(TwoInstancesFixture.Client(app.A, cookies: false), email, TwoInstancesFixture.Password);
        var hub = app.A.Services.GetRequiredService<LiveHub>();
        var droppedBefore = hub.Dropped;

        // The stuck browser: asks for the item's stream and never reads a byte of it.
        using var stuck = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 1024 };
        var address = app.A.ClientOptions.BaseAddress;
        await stuck.ConnectAsync(address.Host, address.Port);
        await stuck.SendAsync(Encoding.ASCII.GetBytes($"GET /live?item={item} HTTP/1.1\r\nHost: {address.Authority}\r\nAccept: text/event-stream\r\nCookie: {cookie}\r\n\r\n"));
        await using var healthy = await SseStream.OpenAsync(bobOnA, $"/live?item={item}");
        await healthy.NextAsync("hello");

        // Rounds of signals the size of the healthy client's buffer, each delivered to it before the
        // next, until the hub gives up on the stuck one; the bound only keeps a broken build finite.
        await using var conn = new NpgsqlConnection(app.ConnectionString);
        await conn.OpenAsync();
        var sent = 0;
        for (var round = 0; hub.Dropped == droppedBefore; round++)
        {
            Assert.True(round < 2000, $"the stuck client was never cut off ({hub.Count} clients; {stuck.Available} bytes wait in its socket)");
            await using (var notify = new NpgsqlCommand("SELECT pg_notify('cms_live', 'c:' || @item || ':' || g) FROM generate_series(@from, @to) g", conn))
            {
                notify.Parameters.AddWithValue("item", item);
                notify.Parameters.AddWithValue("from", sent + 1);
                notify.Parameters.AddWithValue("to", sent + 10);
                await notify.ExecuteNonQueryAsync();
            }
            sent += 10;
            var last = $"\"comment\":{sent}}}";
            await healthy.NextAsync("comment", e => e.Data.EndsWith(last, StringComparison.Ordinal));
        }

        Assert.Equal(1, hub.Dropped - droppedBefore);
        Assert.True(sent > 16, $"dropped after {sent} events");
        // The healthy client goes on receiving after the stuck one is gone.
        await using (var notify = new NpgsqlCommand($"SELECT pg_notify('cms_live', 'c:{item}:999999999')", conn))
        {
            await notify.ExecuteNonQueryAsync();
        }
        await healthy.NextAsync("comment", e => e.Data.Contains("999999999"));
    }

    [Fact]
    public async Task The_stream_answers_only_signed_in_people_and_refuses_what_it_cannot_read()
    {
        var (_, bob) = await app.PersonAsync(app.B, Roles.Editor);
        using var anonymous = TwoInstancesFixture.Client(app.B, cookies: false);

        var signedOut = await anonymous.GetAsync("/live", HttpCompletionOption.ResponseHeadersRead);
        var badItem = await bob.GetAsync("/live?item=abc", HttpCompletionOption.ResponseHeadersRead);
        var noItem = await bob.GetAsync("/live?item=987654321", HttpCompletionOption.ResponseHeadersRead);
        var presence = await anonymous.GetAsync("/live/presence?item=1");
        await using var forgedLastId = await SseStream.OpenAsync(bob, "/live", lastEventId: "-1; DROP TABLE notifications");
        var hello = await forgedLastId.NextAsync("hello");

        Assert.Equal(System.Net.HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Contains("/Account/Login", signedOut.Headers.Location!.ToString());
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, badItem.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, noItem.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, presence.StatusCode);
        Assert.Contains("\"unread\":0", hello.Data);
    }

    [Fact]
    public async Task A_session_opening_more_streams_than_its_cap_is_answered_429()
    {
        var (_, bob) = await app.PersonAsync(app.B, Roles.Editor);
        var cap = app.B.Services.GetRequiredService<LiveOptions>().MaxStreamsPerSession;
        var open = new List<SseStream>();
        try
        {
            for (var i = 0; i < cap; i++)
            {
                open.Add(await SseStream.OpenAsync(bob, "/live"));
            }

            var beyond = await bob.GetAsync("/live", HttpCompletionOption.ResponseHeadersRead);

            Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, beyond.StatusCode);
        }
        finally
        {
            foreach (var stream in open)
            {
                await stream.DisposeAsync();
            }
        }
    }

    // A fetch cannot follow the cookie handler's redirect to AccessDenied: the JSON reads answer a
    // plain 403 and audit the refusal.
    [Fact]
    public async Task A_person_who_may_not_read_items_gets_a_plain_403_from_the_json_reads_and_each_refusal_is_audited()
    {
        var email = $"norole-{Guid.NewGuid():N}@example.com";
        await app.A.CreateUserAsync(email, TwoInstancesFixture.Password);
        using var client = TwoInstancesFixture.Client(app.B, cookies: true);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, (await Infrastructure.Http.SignInAsync(client, email, TwoInstancesFixture.Password)).StatusCode);

        var answers = new List<System.Net.HttpStatusCode>();
        foreach (var url in new[] { "/live/presence?item=1", "/live/people?q=a", "/live/item?item=1" })
        {
            answers.Add((await client.GetAsync(url)).StatusCode);
        }

        Assert.All(answers, a => Assert.Equal(System.Net.HttpStatusCode.Forbidden, a));
        Assert.Equal(3, app.A.WithDb(db => db.AuditEvents.Count(a => a.Action == Core.Auditing.AuditActions.AuthorizationRefused && a.Actor == email)));
    }
}
