using Cms.Application.Comments;
using Cms.Application.Notifications;
using Cms.Core.Auditing;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using netDumbster.smtp;

namespace Cms.Application.Tests.Talk;

// The application with e-mail on, sending to a real SMTP server the test starts on loopback.
public sealed class MailFixture : ApplicationFixture
{
    public SimpleSmtpServer Smtp { get; } = SimpleSmtpServer.Start();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Notifications:Email:Enabled", "true"),
        new("Notifications:Email:Host", "127.0.0.1"),
        new("Notifications:Email:Port", Smtp.Configuration.Port.ToString()),
        new("Notifications:Email:From", "cms@newsroom.example"),
        new("Notifications:Email:PublicUrl", "https://cms.newsroom.example/"),
    ];

    public override async Task DisposeAsync()
    {
        Smtp.Stop();
        Smtp.Dispose();
        await base.DisposeAsync();
    }
}

public sealed class EmailDigestTests(MailFixture app) : IClassFixture<MailFixture>
{
    private Task<int> SendAsync() => app.RunAsync(s => s.GetRequiredService<EmailDigest>().SendDueAsync(CancellationToken.None));

    [Fact]
    public async Task Unread_notifications_go_out_once_as_one_digest_per_person_with_an_audit_event()
    {
        app.Smtp.ClearReceivedEmail();
        var item = (await app.ImportAsync(new TestItem { Title = "Rates rise again" }.ToYaml()))[0];
        var alice = await People.CreateAsync(app, Roles.Editor);
        var bob = await People.CreateAsync(app, Roles.Editor);
        var carol = await People.CreateAsync(app, Roles.Editor);
        await app.RunAsync(s => s.GetRequiredService<ItemComments>().AddAsync(alice, new(item, $"@{bob.Name} first line\nsecond"), CancellationToken.None));
        var second = await app.RunAsync(s => s.GetRequiredService<ItemComments>().AddAsync(alice, new(item, $"@{bob.Name} @{carol.Name} both of you"), CancellationToken.None));
        // Read in the CMS already: not mailed.
        await app.RunAsync(s => s.GetRequiredService<Inbox>().MarkReadAsync(carol, null, CancellationToken.None));

        var sent = await SendAsync();
        var again = await SendAsync();

        Assert.Equal((1, 0), (sent, again));
        var mail = Assert.Single(app.Smtp.ReceivedEmail);
        Assert.Equal(bob.Name, Assert.Single(mail.ToAddresses).Address);
        Assert.Equal("Cms: 2 new notifications", mail.Subject);
        var body = mail.MessageParts[0].BodyData;
        Assert.Contains($"{alice.Name} mentioned you: Rates rise again", body);
        Assert.Contains($"https://cms.newsroom.example/Items/Details/{item}#comment-{second.Value}", body);
        Assert.Contains("first line second", body);
        Assert.True(app.Read(db => db.Notifications.Where(n => n.UserId == bob.UserId).All(n => n.EmailedAt != null)));
        Assert.Equal(1, app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.NotificationsEmailed && a.EntityId == bob.UserId)));
    }

    // The outbox keeps what could not be sent: with the mail server unreachable the round fails
    // (the loop logs it and tries again at the next one), nothing is marked e-mailed, and the next
    // round with the server reachable sends it.
    [Fact]
    public async Task A_digest_the_mail_server_did_not_take_stays_due_and_goes_out_at_the_next_round()
    {
        var item = (await app.ImportAsync(new TestItem { Title = "Mail server down" }.ToYaml()))[0];
        var alice = await People.CreateAsync(app, Roles.Editor);
        var bob = await People.CreateAsync(app, Roles.Editor);
        await app.RunAsync(s => s.GetRequiredService<ItemComments>().AddAsync(alice, new(item, $"@{bob.Name} while the server is down"), CancellationToken.None));
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var deadPort = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var down = new NotificationOptions { EmailEnabled = true, SmtpHost = "127.0.0.1", SmtpPort = deadPort, Sender = "cms@newsroom.example" };
        app.Smtp.ClearReceivedEmail();

        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => app.RunAsync(s =>
            new EmailDigest(s.GetRequiredService<CmsDbContext>(), down, NullLogger<EmailDigest>.Instance).SendDueAsync(CancellationToken.None)));
        Assert.True(app.Read(db => db.Notifications.Where(n => n.UserId == bob.UserId).All(n => n.EmailedAt == null)));
        Assert.Equal(0, app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.NotificationsEmailed && a.EntityId == bob.UserId)));

        Assert.Equal(1, await SendAsync());
        var mail = Assert.Single(app.Smtp.ReceivedEmail);
        Assert.Equal(bob.Name, Assert.Single(mail.ToAddresses).Address);
        Assert.Contains("while the server is down", mail.MessageParts[0].BodyData);
    }

    [Fact]
    public void E_mail_is_off_unless_enabled_and_enabling_it_without_a_server_is_refused_by_name()
    {
        static NotificationOptions From(params (string Key, string Value)[] settings) => NotificationOptions.From(
            new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build());

        Assert.False(From().EmailEnabled);
        Assert.False(From(("Notifications:Email:Host", "mail.example")).EmailEnabled);
        var refused = Assert.Throws<InvalidOperationException>(() => From(("Notifications:Email:Enabled", "true")));
        Assert.Contains("Notifications:Email:Host", refused.Message);
    }

    private NotificationOptions Small(int people, int perPerson) => new()
    {
        EmailEnabled = true, SmtpHost = "127.0.0.1", SmtpPort = app.Smtp.Configuration.Port, Sender = "cms@newsroom.example",
        DigestMaxPeople = people, DigestMaxPerPerson = perPerson,
    };

    // Each call is a new EmailDigest, as each instance (or each round of one) would be.
    private Task<int> SendAsync(NotificationOptions options) => app.RunAsync(s =>
        new EmailDigest(s.GetRequiredService<CmsDbContext>(), options, NullLogger<EmailDigest>.Instance).SendDueAsync(CancellationToken.None));

    private async Task<long> MentionsAsync(Actor author, Actor person, int count)
    {
        var item = (await app.ImportAsync(new TestItem().ToYaml()))[0];
        for (var n = 0; n < count; n++)
        {
            var added = await app.RunAsync(s => s.GetRequiredService<ItemComments>().AddAsync(author, new(item, $"@{person.Name} note {n}"), CancellationToken.None));
            Assert.True(added.Succeeded, added.Result.Message);
        }
        return item;
    }

    private Task ReadAllAsync(Actor person) => app.RunAsync(s => s.GetRequiredService<Inbox>().MarkReadAsync(person, null, CancellationToken.None));

    // Whatever other tests left due goes out first, so these tests see only their own people.
    private async Task DrainAsync()
    {
        while (await SendAsync() > 0)
        {
        }
        app.Smtp.ClearReceivedEmail();
    }

    [Fact]
    public async Task One_person_with_many_due_entries_does_not_starve_the_others_of_the_round()
    {
        await DrainAsync();
        var alice = await People.CreateAsync(app, Roles.Editor);
        var busy = await People.CreateAsync(app, Roles.Editor);
        var bob = await People.CreateAsync(app, Roles.Editor);
        await MentionsAsync(alice, busy, 5);
        await MentionsAsync(alice, bob, 1);

        var sent = await SendAsync(Small(people: 2, perPerson: 2));

        Assert.Equal(2, sent);
        Assert.Equal(new[] { busy.Name, bob.Name }.Order(), app.Smtp.ReceivedEmail.Select(m => m.ToAddresses.Single().Address).Order());
        Assert.Equal(3, app.Read(db => db.Notifications.Count(n => n.UserId == busy.UserId && n.EmailedAt == null)));
        await ReadAllAsync(busy);
    }

    [Fact]
    public async Task A_refused_address_is_backed_off_and_everyone_else_is_still_mailed()
    {
        await DrainAsync();
        var alice = await People.CreateAsync(app, Roles.Editor);
        var refused = await People.CreateAsync(app, Roles.Editor);
        var bob = await People.CreateAsync(app, Roles.Editor);
        await app.RunAsync(s => s.GetRequiredService<CmsDbContext>().Users.Where(u => u.Id == refused.UserId)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.Email, "not an address <<@")));
        await MentionsAsync(alice, refused, 3);
        await MentionsAsync(alice, bob, 1);
        // One person a round, each round a digest of its own (as on two instances): whichever comes
        // first, the refused one is backed off in the database and bob goes.
        var rounds = new List<int> { await SendAsync(Small(people: 1, perPerson: 50)), await SendAsync(Small(people: 1, perPerson: 50)) };

        Assert.Equal(1, rounds.Sum());
        Assert.Equal(bob.Name, Assert.Single(app.Smtp.ReceivedEmail).ToAddresses.Single().Address);
        var refusal = app.Read(db => db.DigestRefusals.Single(r => r.UserId == refused.UserId));
        Assert.Equal(1, refusal.Refusals);
        Assert.True(refusal.Until > DateTimeOffset.UtcNow);
        Assert.Equal(1, app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.NotificationsEmailRefused && a.EntityId == refused.UserId)));
        Assert.Equal(3, app.Read(db => db.Notifications.Count(n => n.UserId == refused.UserId && n.EmailedAt == null)));
        Assert.Equal(0, await SendAsync(Small(people: 1, perPerson: 50)));
        Assert.Equal(1, app.Read(db => db.DigestRefusals.Single(r => r.UserId == refused.UserId).Refusals));
        await ReadAllAsync(refused);
    }

    [Fact]
    public async Task A_locked_or_role_less_account_is_not_e_mailed()
    {
        await DrainAsync();
        var alice = await People.CreateAsync(app, Roles.Editor);
        var locked = await People.CreateAsync(app, Roles.Editor);
        var roleless = await People.CreateAsync(app, Roles.Editor);
        await MentionsAsync(alice, locked, 1);
        await MentionsAsync(alice, roleless, 1);
        await app.RunAsync(s => s.GetRequiredService<CmsDbContext>().Users.Where(u => u.Id == locked.UserId)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.LockoutEnd, DateTimeOffset.UtcNow.AddDays(1))));
        await app.RunAsync(s => s.GetRequiredService<CmsDbContext>().UserRoles.Where(r => r.UserId == roleless.UserId).ExecuteDeleteAsync());

        Assert.Equal(0, await SendAsync());
        Assert.Empty(app.Smtp.ReceivedEmail);
        await ReadAllAsync(locked);
        await ReadAllAsync(roleless);
    }
}
