using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Core.Security;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Cms.Core.Text;

namespace Cms.Application.Delivery;

// The sites that read published items (API and feeds): each has its own bearer tokens, stored as
// SHA-256 hashes and shown once. Rotating issues a new token and lets the old ones work for an
// overlap, so a site can switch without a gap; revoking ends them all at once.
public sealed partial class DeliverySites(CmsDbContext db, TimeProvider clock)
{
    public const string TokenPrefix = "cms_";
    public static readonly TimeSpan DefaultOverlap = TimeSpan.FromHours(24);
    public static readonly TimeSpan MaxOverlap = TimeSpan.FromDays(30);
    public const int RefusalsAuditedPerClientAndHour = 10;

    // Namespace of the per-client refusal locks (two-int form, apart from the bigint keys).
    private const int RefusalLockSpace = 0x636d7372; // "cmsr"

    public sealed record TokenRow(string Hint, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt);

    public sealed record SiteRow(long Id, string Name, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt, IReadOnlyList<TokenRow> Tokens);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex NamePattern();

    public async Task<Outcome<string>> CreateAsync(Actor actor, string? name, CancellationToken ct)
    {
        if (await GuardAsync(actor, AuditActions.DeliverySiteCreated, name, ct) is { } refused)
        {
            return refused;
        }
        name = name?.Trim();
        if (name is null || !NamePattern().IsMatch(name))
        {
            return Outcome.Invalid("Name", "A site name is 1-100 letters, digits, dots, hyphens or underscores, starting with a letter or digit.");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.DeliverySites.AnyAsync(s => s.Name == name, ct))
        {
            return Outcome.Invalid("Name", $"There is already a site named '{name}'.");
        }
        var now = clock.GetUtcNow();
        var (token, row) = NewToken(now);
        var site = new DeliverySite { Name = name, CreatedAt = now, CreatedBy = actor.Name, Tokens = [row] };
        db.DeliverySites.Add(site);
        AuditLog.Add(db, actor, AuditActions.DeliverySiteCreated, AuditTargets.Site, name, new { token = row.Hint });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<string>.Ok(token, $"Site '{name}' created.");
    }

    // A new token; the site's current tokens keep working until now + overlap.
    public async Task<Outcome<string>> RotateAsync(Actor actor, string name, TimeSpan overlap, CancellationToken ct)
    {
        if (await GuardAsync(actor, AuditActions.DeliveryTokenRotated, name, ct) is { } refused)
        {
            return refused;
        }
        if (overlap < TimeSpan.Zero || overlap > MaxOverlap)
        {
            return Outcome.Invalid("Overlap", $"The overlap is between 0 and {MaxOverlap.TotalDays:F0} days.");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var site = await db.DeliverySites.Include(s => s.Tokens).SingleOrDefaultAsync(s => s.Name == name, ct);
        if (site is null)
        {
            return Outcome.NotFound($"No site named '{name}'.");
        }
        if (site.RevokedAt is not null)
        {
            return Outcome.Invalid("Name", $"Site '{name}' is revoked.");
        }
        var now = clock.GetUtcNow();
        var until = now + overlap;
        foreach (var old in site.Tokens.Where(t => t.ExpiresAt is null || t.ExpiresAt > until))
        {
            old.ExpiresAt = until;
        }
        var (token, row) = NewToken(now);
        site.Tokens.Add(row);
        AuditLog.Add(db, actor, AuditActions.DeliveryTokenRotated, AuditTargets.Site, name, new { token = row.Hint, oldTokensUntil = until });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome<string>.Ok(token, $"New token for '{name}'; the previous ones work until {until:yyyy-MM-dd HH:mm} UTC.");
    }

    public async Task<Outcome> RevokeAsync(Actor actor, string name, CancellationToken ct)
    {
        if (await GuardAsync(actor, AuditActions.DeliverySiteRevoked, name, ct) is { } refused)
        {
            return refused;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var site = await db.DeliverySites.SingleOrDefaultAsync(s => s.Name == name, ct);
        if (site is null)
        {
            return Outcome.NotFound($"No site named '{name}'.");
        }
        if (site.RevokedAt is not null)
        {
            return Outcome.Ok($"Site '{name}' was already revoked.");
        }
        site.RevokedAt = clock.GetUtcNow();
        AuditLog.Add(db, actor, AuditActions.DeliverySiteRevoked, AuditTargets.Site, name);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome.Ok($"Site '{name}' revoked: its tokens no longer work.");
    }

    public async Task<IReadOnlyList<SiteRow>> ListAsync(CancellationToken ct) =>
        await db.DeliverySites.AsNoTracking().OrderBy(s => s.Name)
            .Select(s => new SiteRow(s.Id, s.Name, s.CreatedAt, s.CreatedBy, s.RevokedAt,
                s.Tokens.OrderBy(t => t.Id).Select(t => new TokenRow(t.Hint, t.CreatedAt, t.ExpiresAt, t.LastUsedAt)).ToList()))
            .ToListAsync(ct);

    // The site a presented token belongs to, or null (unknown, expired, revoked). Records the use at
    // most once a minute per token.
    public async Task<string?> AuthenticateAsync(string? token, CancellationToken ct)
    {
        if (token is not { Length: > 0 and <= 200 } || !token.StartsWith(TokenPrefix, StringComparison.Ordinal))
        {
            return null;
        }
        var hash = Hash(token);
        var now = clock.GetUtcNow();
        var found = await db.DeliveryTokens.AsNoTracking()
            .Where(t => t.Hash == hash && (t.ExpiresAt == null || t.ExpiresAt > now))
            .Join(db.DeliverySites.Where(s => s.RevokedAt == null), t => t.SiteId, s => s.Id, (t, s) => new { t.Id, t.LastUsedAt, s.Name })
            .SingleOrDefaultAsync(ct);
        if (found is null)
        {
            return null;
        }
        if (found.LastUsedAt is null || found.LastUsedAt < now.AddMinutes(-1))
        {
            await db.DeliveryTokens.Where(t => t.Id == found.Id).ExecuteUpdateAsync(u => u.SetProperty(t => t.LastUsedAt, now), ct);
        }
        return found.Name;
    }

    // A refused request: audited once per presented token (or, without one, once) per client and
    // hour, and at most RefusalsAuditedPerClientAndHour times per client and hour, so a client
    // presenting a new made-up token with each request cannot grow the audit trail without bound.
    // The client is its key (Actors.ClientKey: an IPv6 client is its /64).
    public async Task RefusedAsync(Actor client, string clientKey, string? token, string path, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        var prefix = "c:" + Hash(clientKey)[..16] + "|";
        var key = prefix + (token is { Length: > 0 } t ? "token:" + Hash(t)[..40] : "no-token");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // One client's refusals take turns, so the count below cannot be passed by racing it.
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock({RefusalLockSpace}, hashtext({prefix}))", ct);
        var audited = await db.DeliveryAccessFailures.CountAsync(f => f.Hour == hour && f.Key.StartsWith(prefix), ct);
        if (audited >= RefusalsAuditedPerClientAndHour)
        {
            return;
        }
        var inserted = await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO delivery_access_failures (key, hour) VALUES ({key}, {hour}) ON CONFLICT DO NOTHING", ct);
        if (inserted == 0)
        {
            return;
        }
        AuditLog.Add(db, client, AuditActions.DeliveryAccessRefused, AuditTargets.Site, null, new
        {
            reason = token is { Length: > 0 } ? "unknown, expired or revoked token" : "no token",
            token = token is { Length: > 0 } ? Hint(token) : null,
            path = UnicodeText.Clip(path, 200, ""),
            onceUntil = hour.AddHours(1),
            lastAuditedThisHour = audited + 1 == RefusalsAuditedPerClientAndHour,
        });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    // The refusal bookkeeping only matters for the hour it counts; older rows are dropped by the worker
    // (WebhookLoop). Not audited: the refusals' own events stay in the audit trail, and like expired
    // sessions or stale presence this removes nothing anyone did.
    public Task<int> PruneAccessFailuresAsync(TimeSpan retention, CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow() - retention;
        return db.DeliveryAccessFailures.Where(f => f.Hour < cutoff).ExecuteDeleteAsync(ct);
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Hint(string token) => "…" + (token.Length > 4 ? token[^4..] : token);

    private static (string Token, DeliveryToken Row) NewToken(DateTimeOffset now)
    {
        var token = TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        return (token, new DeliveryToken { Hash = Hash(token), Hint = Hint(token), CreatedAt = now });
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private Task<Outcome?> GuardAsync(Actor actor, string attempted, string? target, CancellationToken ct) =>
        Guard.RequireAsync(db, actor, Permissions.ManageDelivery, "Managing consuming sites", new Attempt(attempted, AuditTargets.Site, target), ct);
}
