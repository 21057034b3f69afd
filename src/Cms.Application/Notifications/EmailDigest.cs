using System.Text;
using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Core.Talk;
using Cms.Data;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MimeKit;
using Cms.Core.Text;

namespace Cms.Application.Notifications;

// The optional e-mail digest (Notifications:Email:Enabled, off by default). The notifications
// table is its outbox: unread entries not yet e-mailed are gathered per person, sent as one message
// each, then marked with their audit event. Runs only in the background loop, never in a request.
// One instance at a time (a session advisory lock); a crash between sending and marking sends that
// digest again (at least once, never lost).
public sealed class EmailDigest(CmsDbContext db, NotificationOptions options, ILogger<EmailDigest> log)
{
    // A refused digest waits one interval, then twice as long after each further refusal, up to this.
    private static readonly TimeSpan LongestBackoff = TimeSpan.FromDays(1);

    private const long DigestLockKey = 0x636d735f646967; // "cms_dig"
    public static readonly Actor Actor = Actor.System("mailer");

    private sealed record Due(long Id, string UserId, string Email, string Kind, long ItemId, string Title, long? CommentId, string? Comment, string ActorName, string? Reason);

    // Returns the number of messages sent.
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            if (!await db.Database.SqlQueryRaw<bool>($"SELECT pg_try_advisory_lock({DigestLockKey}) AS \"Value\"").SingleAsync(ct))
            {
                return 0;
            }
            try
            {
                return await SendAsync(ct);
            }
            finally
            {
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({DigestLockKey})", CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    // People first (at most DigestMaxPeople who may read items now, have an address and are not
    // backed off), then each one's oldest DigestMaxPerPerson due entries: one person with thousands
    // of unread entries, or whose address is refused, cannot fill the round and starve the others.
    private static string DueIds(string readers) => $"""
        SELECT d.id AS "Value"
          FROM (SELECT DISTINCT n.user_id FROM notifications n
                  JOIN "AspNetUsers" u ON u.id = n.user_id
                 WHERE n.emailed_at IS NULL AND n.read_at IS NULL AND u.email IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM digest_refusals r WHERE r.user_id = n.user_id AND r.until > @now)
                   AND {readers}
                 ORDER BY n.user_id LIMIT @max_people) AS p
         CROSS JOIN LATERAL (SELECT n.id FROM notifications n
                              WHERE n.user_id = p.user_id AND n.emailed_at IS NULL AND n.read_at IS NULL
                              ORDER BY n.id LIMIT @max_per_person) AS d
        """;

    private async Task<int> SendAsync(CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        List<long> ids = await db.Database.SqlQueryRaw<long>(DueIds(People.Readers.SqlCondition("u")),
            [.. People.Readers.Parameters(now),
             new Npgsql.NpgsqlParameter<DateTimeOffset>("now", now),
             new Npgsql.NpgsqlParameter<int>("max_people", options.DigestMaxPeople),
             new Npgsql.NpgsqlParameter<int>("max_per_person", options.DigestMaxPerPerson)]).ToListAsync(ct);
        if (ids.Count == 0)
        {
            return 0;
        }
        var due = await db.Notifications.AsNoTracking()
            .Where(n => ids.Contains(n.Id))
            .Join(db.Users, n => n.UserId, u => u.Id, (n, u) => new { n, u.Email })
            .OrderBy(x => x.n.Id)
            .Select(x => new Due(x.n.Id, x.n.UserId, x.Email!, x.n.Kind, x.n.ItemId,
                db.Items.Where(i => i.Id == x.n.ItemId).Select(i => i.Title.Length > Queue.QueueQuery.TitleRead ? i.Title.Substring(0, Queue.QueueQuery.TitleRead) : i.Title).FirstOrDefault() ?? "",
                x.n.CommentId,
                db.Comments.Where(c => c.Id == x.n.CommentId && c.DeletedAt == null).Select(c => c.Body.Length > 500 ? c.Body.Substring(0, 500) : c.Body).FirstOrDefault(),
                db.Users.Where(u => u.Id == x.n.ActorId).Select(u => u.UserName).FirstOrDefault() ?? x.n.ActorName,
                x.n.Reason))
            .ToListAsync(ct);
        if (due.Count == 0)
        {
            return 0;
        }
        using var smtp = new SmtpClient();
        await smtp.ConnectAsync(options.SmtpHost ?? "localhost", options.SmtpPort, options.RequireTls ? SecureSocketOptions.StartTls : SecureSocketOptions.StartTlsWhenAvailable, ct);
        if (options.SmtpUser is { Length: > 0 } user)
        {
            await smtp.AuthenticateAsync(user, options.SmtpPassword ?? "", ct);
        }
        var sent = 0;
        foreach (var person in due.GroupBy(d => d.UserId).Take(options.DigestMaxPeople))
        {
            var entries = person.Take(options.DigestMaxPerPerson).ToList();
            try
            {
                await smtp.SendAsync(Message(person.First().Email, entries), ct);
            }
            catch (Exception ex) when (ex is SmtpCommandException or ParseException or FormatException)
            {
                // This person's address or message was refused: the others still go, theirs waits
                // and is not tried again until the back-off has passed.
                var until = await RefusedAsync(person.Key, ex.Message, ct);
                log.LogWarning(ex, "digest for {UserId} refused by the mail server; not tried again before {Until}", person.Key, until);
                continue;
            }
            await MarkAsync(person.Key, entries.Select(e => e.Id).ToList(), ct);
            sent++;
        }
        await smtp.DisconnectAsync(quit: true, ct);
        return sent;
    }

    private async Task MarkAsync(string userId, List<long> ids, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = DateTimeOffset.UtcNow;
        await db.Notifications.Where(n => ids.Contains(n.Id)).ExecuteUpdateAsync(s => s.SetProperty(n => n.EmailedAt, now), ct);
        await db.DigestRefusals.Where(r => r.UserId == userId).ExecuteDeleteAsync(ct);
        AuditLog.Add(db, Actor, AuditActions.NotificationsEmailed, AuditTargets.User, userId, new { count = ids.Count, first = ids[0], last = ids[^1] });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    // The person's back-off, in the database so that every instance's digest loop respects it: one
    // interval after the first refusal, doubling up to a day. Returns until when.
    private async Task<DateTimeOffset> RefusedAsync(string userId, string reason, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = DateTimeOffset.UtcNow;
        var until = await db.Database.SqlQuery<DateTimeOffset>($"""
            INSERT INTO digest_refusals AS r (user_id, until, refusals) VALUES ({userId}, {now + options.DigestInterval}, 1)
            ON CONFLICT (user_id) DO UPDATE SET refusals = r.refusals + 1,
              until = {now} + least({LongestBackoff}, {options.DigestInterval} * power(2, least(r.refusals, 20)))
            RETURNING until AS "Value"
            """).AsAsyncEnumerable().SingleAsync(ct);
        AuditLog.Add(db, Actor, AuditActions.NotificationsEmailRefused, AuditTargets.User, userId,
            new { reason = UnicodeText.Clip(reason, 500, ""), retryAfter = until });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return until;
    }

    // Plain text only: titles and comments are untrusted and nothing in a text/plain body runs.
    private MimeMessage Message(string to, IReadOnlyList<Due> entries)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.Sender));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = entries.Count == 1 ? "Cms: 1 new notification" : $"Cms: {entries.Count} new notifications";
        var text = new StringBuilder();
        var site = options.PublicUrl?.TrimEnd('/');
        foreach (var e in entries)
        {
            text.Append(e.ActorName).Append(' ').Append(NotificationKinds.Describe(e.Kind)).Append(": ").AppendLine(CommentText.Preview(e.Title, 200));
            if (e.Reason is { Length: > 0 } reason)
            {
                text.Append("  Reason: ").AppendLine(CommentText.Preview(reason, 300));
            }
            if (e.Comment is { Length: > 0 } comment)
            {
                text.Append("  \"").Append(CommentText.Preview(comment, 300)).AppendLine("\"");
            }
            if (site is not null)
            {
                text.Append("  ").Append(site).Append("/Items/Details/").Append(e.ItemId);
                text.AppendLine(e.CommentId is { } c ? $"#comment-{c}" : "");
            }
            text.AppendLine();
        }
        text.AppendLine("You get this digest because e-mail notifications are on for this back office; your inbox in the CMS has the same entries.");
        message.Body = new TextPart("plain") { Text = text.ToString() };
        return message;
    }
}

// The digest's loop in the web app; does nothing unless e-mail is enabled.
public sealed class EmailDigestService(IServiceScopeFactory scopes, NotificationOptions options, ILogger<EmailDigestService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.EmailEnabled)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<EmailDigest>().SendDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogError(ex, "e-mail digest failed; retrying at the next round");
            }
            try
            {
                await Task.Delay(options.DigestInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
