using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Data;

namespace Cms.Application;

// What a refused actor tried: the AuditActions name of the change they asked for, what it is
// about, and for a workflow move or a bulk action which one ("Publish", "add-topic").
public sealed record Attempt(string Action, string? TargetType = null, string? TargetId = null, string? Move = null);

// The one permission check of the handlers: it checks, writes the refusal (authorization.refused,
// naming the attempted change by its AuditActions constant) and returns the Forbidden outcome that
// the caller passes on unchanged. A refusal changes nothing, so its event commits on its own.
public static class Guard
{
    // Null when the actor holds the permission; otherwise the refusal, already audited.
    // `doing` starts the message: "Scheduling" -> "Scheduling needs the PublishItems permission."
    public static async Task<Outcome?> RequireAsync(CmsDbContext db, Actor actor, string permission, string doing, Attempt attempt, CancellationToken ct) =>
        actor.Can(permission)
            ? null
            : await RefuseAsync(db, actor, attempt, $"{permission} required", $"{doing} needs the {permission} permission.", ct);

    // A refusal on other grounds than a permission (a session that belongs to someone else).
    public static async Task<Outcome> RefuseAsync(CmsDbContext db, Actor actor, Attempt attempt, string reason, string message, CancellationToken ct)
    {
        var data = new Dictionary<string, string> { ["attempted"] = attempt.Action };
        if (attempt.Move is { } move)
        {
            data["move"] = move;
        }
        data["reason"] = reason;
        await WriteAsync(db, actor, attempt.TargetType, attempt.TargetId, data, ct);
        return Outcome.Forbidden(message);
    }

    // A request refused by a page's authorization policy, before any handler ran.
    public static Task RequestRefusedAsync(CmsDbContext db, Actor actor, string request, string reason, CancellationToken ct) =>
        WriteAsync(db, actor, null, null, new Dictionary<string, string> { ["request"] = request, ["reason"] = reason }, ct);

    private static async Task WriteAsync(CmsDbContext db, Actor actor, string? targetType, string? targetId, object data, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        AuditLog.Add(db, actor, AuditActions.AuthorizationRefused, targetType, targetId, data);
        await db.SaveChangesAsync(ct);
    }
}
