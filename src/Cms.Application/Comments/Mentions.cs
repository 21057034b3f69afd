using Cms.Application.People;
using Cms.Core.Talk;
using Cms.Data;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Comments;

// "@name" in a comment resolved to accounts. A name that is no account stays text (news copy has
// @handles); an account that may not read the item is refused, not silently skipped, so the writer
// knows the person will not see it.
public static class Mentions
{
    public sealed record Resolved(int Start, int Length, string UserId);

    public static async Task<(IReadOnlyList<Resolved> Mentions, string? Problem)> ResolveAsync(CmsDbContext db, string body, DateTimeOffset now, CancellationToken ct)
    {
        var tokens = CommentText.Mentions(body);
        if (tokens.Count == 0)
        {
            return ([], null);
        }
        var names = tokens.Select(t => t.Name.ToUpperInvariant()).Distinct().ToList();
        var accounts = await db.Users.AsNoTracking().Where(u => names.Contains(u.NormalizedUserName!))
            .Select(u => new { u.Id, u.UserName, u.NormalizedUserName }).ToListAsync(ct);
        if (accounts.Count == 0)
        {
            return ([], null);
        }
        var ids = accounts.Select(a => a.Id).ToList();
        var readers = (await Readers.Of(db, now).Where(u => ids.Contains(u.Id)).Select(u => u.Id).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var refused = accounts.Where(a => !readers.Contains(a.Id)).Select(a => a.UserName).Order(StringComparer.Ordinal).ToList();
        if (refused.Count > 0)
        {
            return ([], $"{string.Join(", ", refused)} cannot read this item, so {(refused.Count == 1 ? "they" : "these people")} cannot be mentioned.");
        }
        var byName = accounts.ToDictionary(a => a.NormalizedUserName!, a => a.Id, StringComparer.Ordinal);
        var resolved = tokens.Where(t => byName.ContainsKey(t.Name.ToUpperInvariant()))
            .Select(t => new Resolved(t.Start, t.Length, byName[t.Name.ToUpperInvariant()])).ToList();
        if (resolved.Select(r => r.UserId).Distinct().Count() > CommentText.MaxMentions)
        {
            return ([], $"A comment mentions at most {CommentText.MaxMentions} people.");
        }
        return (resolved, null);
    }
}
