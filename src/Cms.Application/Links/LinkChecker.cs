using System.Text.Json;
using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Core.Links;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cms.Application.Links;

// The link checker's work, one request per step: it learns the related-link URLs of items in the
// queue and of published items, leases hosts whose turn it is (link_hosts, in PostgreSQL, so two
// instances never ask one host at once and keep its interval between them), makes one request per
// leased host, and records what it learned: the next step (a redirect to follow, a GET after a
// refused HEAD or to read the title) or the link's health. Nothing another instance needs lives in
// this process.
public sealed class LinkChecker(CmsDbContext db, ILinkFetcher fetcher, LinkCheckSettings settings, TimeProvider clock, ItemLimits limits, ILogger<LinkChecker> log)
{
    public static readonly Actor Actor = Actor.System("link-checker");

    private const int DiscoveryBatch = 5_000;

    private sealed record Hop(string Url, int Status);

    // New related-link URLs since the last look, as unchecked links due now, and which check each
    // link is (link_uses). Returns how many URLs.
    //
    // Related-link ids come from a sequence when a row is inserted, not when it commits: a
    // transaction holding id 2 may commit after one holding 3 did. The cursor therefore never passes
    // the settled watermark: the id sequence's value at a look, once every transaction that was then
    // writing related_links (holding its RowExclusiveLock, which an INSERT or COPY takes before its
    // default takes an id) has ended. Rows beyond it are discovered as they appear and read again
    // until the watermark passes them (discovery is idempotent).
    public async Task<int> DiscoverAsync(CancellationToken ct)
    {
        var cursor = await db.LinkDiscoveries.SingleOrDefaultAsync(d => d.Id == 1, ct);
        if (cursor is null)
        {
            cursor = new LinkDiscovery { Id = 1 };
            db.LinkDiscoveries.Add(cursor);
        }
        await SettleAsync(cursor, ct);
        var after = cursor.LastRelatedLinkId;
        var links = await db.RelatedLinks.AsNoTracking()
            .Where(r => r.Id > after)
            .OrderBy(r => r.Id).Take(DiscoveryBatch)
            .Select(r => new { r.Id, r.Url, r.IsSafeUrl })
            .ToListAsync(ct);
        if (links.Count == 0)
        {
            await db.SaveChangesAsync(ct);
            return 0;
        }
        var now = clock.GetUtcNow();
        // Every link is recorded, whatever its item's state: whether its check is due follows the
        // item's state at the time (InUse), so a rejected item reopened later is checked again.
        var uses = links.Where(l => l.IsSafeUrl).Select(l => (l.Id, Url: LinkRules.Key(l.Url))).Where(l => l.Url is not null).ToList();
        var urls = uses.Select(l => l.Url!).Distinct().ToArray();
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand("""
            INSERT INTO link_checks (url, status, failures, next_at, pending_url, pending_host, pending_method, pending_permanent)
            SELECT u, 'Unchecked', 0, @now, u, h, 'HEAD', false FROM unnest(@urls, @hosts) AS x(u, h)
            ON CONFLICT (url) DO NOTHING;
            INSERT INTO link_hosts (host, next_at) SELECT DISTINCT h, @now FROM unnest(@hosts) AS x(h) ON CONFLICT (host) DO NOTHING;
            INSERT INTO link_uses (related_link_id, url)
              SELECT x.i, x.u FROM unnest(@ids, @keys) AS x(i, u) WHERE EXISTS (SELECT 1 FROM related_links r WHERE r.id = x.i)
              ON CONFLICT (related_link_id) DO UPDATE SET url = EXCLUDED.url;
            """, conn))
        {
            cmd.Parameters.AddWithValue("ids", uses.Select(u => u.Id).ToArray());
            cmd.Parameters.AddWithValue("keys", uses.Select(u => u.Url!).ToArray());
            cmd.Parameters.AddWithValue("now", now);
            cmd.Parameters.AddWithValue("urls", urls);
            cmd.Parameters.AddWithValue("hosts", urls.Select(u => new Uri(u).IdnHost).ToArray());
            await cmd.ExecuteNonQueryAsync(ct);
        }
        cursor.LastRelatedLinkId = Math.Max(after, Math.Min(links[^1].Id, cursor.SettledRelatedLinkId));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return urls.Length;
    }

    // Moves the settled watermark: the pending look settles once its writers have all ended; a look
    // now with no writer settles at once, otherwise it becomes the pending one (when none is).
    private async Task SettleAsync(LinkDiscovery cursor, CancellationToken ct)
    {
        if (cursor.PendingRelatedLinkId is { } pending
            && !await db.Database.SqlQuery<bool>($"SELECT EXISTS (SELECT 1 FROM pg_locks WHERE virtualtransaction = ANY({cursor.PendingWriters ?? []})) AS \"Value\"").SingleAsync(ct))
        {
            cursor.SettledRelatedLinkId = Math.Max(cursor.SettledRelatedLinkId, pending);
            cursor.PendingRelatedLinkId = null;
            cursor.PendingWriters = null;
        }
        // The sequence first, then the writers: a transaction that took an id up to that value held
        // the table's lock when the value was read, so it is among the writers unless it has ended.
        var sequence = await db.Database.SqlQuery<long>(
            $"SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('related_links', 'id')::regclass), 0) AS \"Value\"").SingleAsync(ct);
        var writers = await db.Database.SqlQuery<string>($"""
            SELECT DISTINCT virtualtransaction AS "Value" FROM pg_locks
            WHERE locktype = 'relation' AND relation = 'related_links'::regclass AND mode = 'RowExclusiveLock' AND pid <> pg_backend_pid()
            """).ToListAsync(ct);
        if (writers.Count == 0)
        {
            cursor.SettledRelatedLinkId = Math.Max(cursor.SettledRelatedLinkId, sequence);
        }
        else if (cursor.PendingRelatedLinkId is null)
        {
            cursor.PendingRelatedLinkId = sequence;
            cursor.PendingWriters = [.. writers];
        }
    }

    // A check is due only while a link of an item in the queue or published uses its URL: the URLs
    // of rejected or withdrawn items, of links a revision removed or replaced, are not asked again
    // (until a link uses them again).
    private const string InUse = """
        EXISTS (SELECT 1 FROM link_uses u JOIN related_links l ON l.id = u.related_link_id JOIN items i ON i.id = l.item_id
                WHERE u.url = c.url AND i.state IN ('New', 'Ready', 'Published'))
        """;

    private const string LeaseSql = """
        UPDATE link_hosts h SET lease_owner = {0}, lease_until = {1}
        WHERE h.host IN (
          SELECT h2.host FROM link_hosts h2
          WHERE h2.next_at <= {2} AND (h2.lease_until IS NULL OR h2.lease_until < {2})
            AND EXISTS (SELECT 1 FROM link_checks c WHERE c.pending_host = h2.host AND c.next_at <= {2} AND
        """ + " " + InUse + " " + """
        )
          ORDER BY h2.next_at LIMIT {3}
          FOR UPDATE SKIP LOCKED)
        RETURNING h.host AS "Value"
        """;

    private static readonly WorkflowState[] CheckedStates = [WorkflowState.New, WorkflowState.Ready, WorkflowState.Published];

    // Leases up to `count` hosts whose turn it is and that have a link due.
    public async Task<List<string>> LeaseHostsAsync(string owner, int count, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return await db.Database.SqlQueryRaw<string>(LeaseSql, owner, now + settings.HostLease, now, count).ToListAsync(ct);
    }

    // One request for the due link of a host this instance leased, then the host's next turn.
    public async Task StepAsync(string host, string owner, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var check = await db.LinkChecks.Where(c => c.PendingHost == host && c.NextAt <= now)
            .Where(c => db.LinkUses.Any(u => u.Url == c.Url && db.RelatedLinks.Any(l => l.Id == u.RelatedLinkId && CheckedStates.Contains(l.Item!.State))))
            .OrderBy(c => c.NextAt).FirstOrDefaultAsync(ct);
        var hostDelay = settings.HostInterval;
        if (check is not null)
        {
            hostDelay = await RequestAsync(check, ct);
        }
        var next = clock.GetUtcNow() + hostDelay;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (check is not null)
        {
            // What this answer made of the check cannot be stored: it counts as a failure of the
            // check, started again from its URL next time, so a check that can never be recorded
            // still goes failing, then broken, instead of keeping its health for ever.
            log.LogWarning(ex, "link check of {Url} could not be recorded; counted as a failure", check.Url);
            await tx.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            await using var again = await db.Database.BeginTransactionAsync(ct);
            if (await db.LinkChecks.SingleOrDefaultAsync(c => c.Url == check.Url, ct) is { } stored)
            {
                Fail(stored, null, [], $"the check's outcome could not be recorded ({ex.InnerException?.Message ?? ex.Message})", gone: false);
                await db.SaveChangesAsync(ct);
            }
            await ReleaseHostAsync(host, owner, next, ct);
            await again.CommitAsync(ct);
            db.ChangeTracker.Clear();
            return;
        }
        if (check is not null && check.PendingHost != host)
        {
            // A redirect to another host: that host's turn comes next.
            await db.Database.ExecuteSqlRawAsync("INSERT INTO link_hosts (host, next_at) VALUES ({0}, {1}) ON CONFLICT (host) DO NOTHING", [check.PendingHost, clock.GetUtcNow()], ct);
        }
        await ReleaseHostAsync(host, owner, next, ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
    }

    // The host's lease ends; its next turn is at `next`.
    private Task<int> ReleaseHostAsync(string host, string owner, DateTimeOffset next, CancellationToken ct) =>
        db.LinkHosts.Where(h => h.Host == host && h.LeaseOwner == owner)
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.NextAt, next).SetProperty(h => h.LeaseOwner, (string?)null).SetProperty(h => h.LeaseUntil, (DateTimeOffset?)null), ct);

    // Makes the check's pending request and moves the check on; returns how long its host must rest.
    private async Task<TimeSpan> RequestAsync(LinkCheck check, CancellationToken ct)
    {
        var url = new Uri(check.PendingUrl);
        var hops = check.PendingHops is { } json ? JsonSerializer.Deserialize<List<Hop>>(json)! : [];
        LinkResponse response;
        try
        {
            response = await fetcher.FetchAsync(new HttpMethod(check.PendingMethod), url, ct);
        }
        catch (LinkRefusedException ex)
        {
            Finish(check, LinkHealth.Refused, null, hops, ex.Message);
            return settings.HostInterval;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or IOException)
        {
            Fail(check, null, hops, ex is TimeoutException ? $"timed out: {ex.Message}" : ex.Message, gone: false);
            return settings.HostInterval;
        }
        var now = clock.GetUtcNow();
        var status = response.Status;
        if (status is 429 or 503 && LinkRules.RetryAfter(response.RetryAfter, now) is { } wait)
        {
            // Asked to come back later: not a failure, a bounded number of times in a row. The host
            // rests, the check waits with it.
            var rest = wait > settings.MaxRetryAfter ? settings.MaxRetryAfter : wait < settings.HostInterval ? settings.HostInterval : wait;
            if (check.Deferrals < settings.MaxDeferrals)
            {
                check.Deferrals++;
                check.NextAt = now + rest;
                check.Detail = $"{status}: asked to retry after {rest.TotalSeconds:0} s";
                return rest;
            }
            hops.Add(new Hop(url.AbsoluteUri, status));
            var reason = $"answered {status} with Retry-After {settings.MaxDeferrals + 1} times in a row";
            if (status == 429)
            {
                Finish(check, LinkHealth.Blocked, status, hops, $"the site rate-limited the checker ({reason})");
            }
            else
            {
                Fail(check, status, hops, reason, gone: false);
            }
            return rest;
        }
        if (check.PendingMethod == "HEAD" && LinkRules.RefusesHead(status))
        {
            Continue(check, url, "GET", hops, check.PendingPermanent, now);
            return settings.HostInterval;
        }
        if (LinkRules.IsRedirect(status))
        {
            hops.Add(new Hop(url.AbsoluteUri, status));
            if (response.Location is not { } location || !UrlRules.IsAbsoluteHttp(location.AbsoluteUri))
            {
                Fail(check, status, hops, "a redirect without a usable Location", gone: false);
            }
            else if (Unfit(location) is { } unfit)
            {
                // Not an address a link may have (a 3,800-character host, a 60 KB URL): it is not
                // followed, and could not even be stored as the next step.
                Fail(check, status, hops, $"a redirect to an address no link may have: it {unfit}", gone: false);
            }
            else if (hops.Count > settings.MaxRedirects)
            {
                Fail(check, status, hops, $"more than {settings.MaxRedirects} redirects", gone: false);
            }
            else if (LinkRules.IsHomeRedirect(new Uri(check.Url), location))
            {
                Fail(check, status, hops, "redirected to the site's home page (soft 404)", gone: false);
            }
            else
            {
                // Moved only while every hop from the start is permanent: a 301 followed by a 302 to
                // a sign-in or consent page is not an address to take.
                var permanent = LinkRules.IsPermanentRedirect(status) && (hops.Count == 1 || check.PendingPermanent);
                Continue(check, location, "HEAD", hops, permanent, now);
            }
            return settings.HostInterval;
        }
        if (LinkRules.IsSuccess(status))
        {
            if (check.PendingMethod == "HEAD" && (response.ContentType is null || response.ContentType.Contains("html", StringComparison.OrdinalIgnoreCase)))
            {
                // The page's title tells a soft 404: read the start of it.
                Continue(check, url, "GET", hops, check.PendingPermanent, now);
            }
            else if (LinkRules.TitleSaysNotFound(response.Body))
            {
                Fail(check, status, hops, "the page's title says it was not found (soft 404)", gone: false);
            }
            else
            {
                hops.Add(new Hop(url.AbsoluteUri, status));
                // An address to take only if it could be a related link (LinkIdentity's one rule on
                // length): a redirect to a 60 KB URL is not offered as the replacement.
                // Its host in ASCII: a look-alike host shows as what it is (REVIEW5 #9).
                var final = LinkRules.AsciiHost(url);
                var moved = check.PendingPermanent && final != check.Url
                    && LinkIdentity.Of(final) is { } identity && LinkIdentity.Unfit(final, identity, limits.MaxUrlLength) is null;
                check.FinalUrl = moved ? final : null;
                Finish(check, moved ? LinkHealth.Moved : LinkHealth.Ok, status, hops, null);
            }
            return settings.HostInterval;
        }
        hops.Add(new Hop(url.AbsoluteUri, status));
        if (LinkRules.IsBlocked(status))
        {
            Finish(check, LinkHealth.Blocked, status, hops, $"the site refused the checker ({status})");
        }
        else
        {
            Fail(check, status, hops, $"answered {status}", gone: status == 410);
        }
        return settings.HostInterval;
    }

    // What keeps a redirect's target from being a next step: a host over DNS's 253 characters (Uri
    // accepts thousands; the check's pending host could not be stored). A long URL is followed: only
    // taking it as a moved link's new address needs it to fit a related link (LinkIdentity.Unfit).
    private static string? Unfit(Uri location) =>
        location.IdnHost.Length > MaxHostLength ? $"has a host of {location.IdnHost.Length:N0} characters, over DNS's {MaxHostLength}" : null;

    private const int MaxHostLength = 253;

    private void Continue(LinkCheck check, Uri url, string method, List<Hop> hops, bool permanent, DateTimeOffset now)
    {
        check.PendingUrl = url.AbsoluteUri;
        check.PendingHost = url.IdnHost;
        check.PendingMethod = method;
        check.PendingHops = JsonSerializer.Serialize(hops);
        check.PendingPermanent = permanent;
        check.NextAt = now;
    }

    private void Fail(LinkCheck check, int? status, List<Hop> hops, string detail, bool gone)
    {
        var now = clock.GetUtcNow();
        var (health, failures, since) = LinkRules.AfterFailure(check.Failures, check.FirstFailureAt, now, gone, settings);
        check.Failures = failures;
        check.FirstFailureAt = since;
        check.FinalUrl = null;
        Record(check, health, status, hops, detail, now, health == LinkHealth.Broken ? settings.Recheck : settings.RetryFailing);
    }

    private void Finish(LinkCheck check, LinkHealth health, int? status, List<Hop> hops, string? detail)
    {
        var now = clock.GetUtcNow();
        if (health is LinkHealth.Ok or LinkHealth.Moved)
        {
            check.Failures = 0;
            check.FirstFailureAt = null;
        }
        Record(check, health, status, hops, detail, now, settings.Recheck);
    }

    // The check is over: its outcome recorded (audited when the health changed), the next check
    // scheduled from the start of the URL.
    public static string AuditTarget(string url) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(url)));

    private void Record(LinkCheck check, LinkHealth health, int? status, List<Hop> hops, string? detail, DateTimeOffset now, TimeSpan recheckAfter)
    {
        // .NET's messages for a malformed answer quote the server's bytes, NUL included.
        detail = detail is null ? null : Outbound.RemoteText.Storable(detail, 2000);
        var before = check.Status;
        check.Status = health.ToString();
        check.HttpStatus = status;
        check.Hops = JsonSerializer.Serialize(hops);
        check.Detail = detail;
        check.CheckedAt = now;
        check.NextAt = now + recheckAfter;
        var start = new Uri(check.Url);
        check.PendingUrl = check.Url;
        check.PendingHost = start.IdnHost;
        check.PendingMethod = "HEAD";
        check.PendingHops = null;
        check.PendingPermanent = false;
        check.Deferrals = 0;
        if (before != check.Status)
        {
            // The URL is in the data; the target is its SHA-256 (a news URL rarely fits the
            // 64 characters of an audit target, and a refused INSERT stopped the checker).
            AuditLog.Add(db, Actor, AuditActions.LinkHealthChanged, AuditTargets.Link, AuditTarget(check.Url),
                new { url = check.Url, from = before, to = check.Status, httpStatus = status, finalUrl = check.FinalUrl, detail, hops = hops.Select(h => $"{h.Status} {h.Url}") });
        }
    }
}
