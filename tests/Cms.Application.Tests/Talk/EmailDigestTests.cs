using Cms.Application.Comments;
using Cms.Application.Notifications;
using Cms.Core.Auditing;
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
}
