using Cms.Data;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Users;

// The accounts as the users page and `./cms users list` show them.
public sealed class UserList(CmsDbContext db)
{
    public const int PageSize = 50;

    public sealed record Row(string Id, string Email, IReadOnlyList<string> Roles, DateTimeOffset? LastSignInAt, string Status, bool TwoFactor);

    public sealed record Page(IReadOnlyList<Row> Rows, int Total, int PageNumber, int Pages);

    public static string StatusOf(DateTimeOffset? disabledAt, DateTimeOffset? lockoutEnd) =>
        disabledAt is not null ? "disabled" : lockoutEnd > DateTimeOffset.UtcNow ? "locked" : "active";

    public async Task<Row?> FindAsync(string id, CancellationToken ct) =>
        (await RowsAsync(db.Users.AsNoTracking().Where(u => u.Id == id), ct)).SingleOrDefault();

    public async Task<Page> SearchAsync(string? search, int page, int pageSize, CancellationToken ct)
    {
        var query = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var pattern = "%" + search.Trim().ToUpperInvariant().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            query = query.Where(u => EF.Functions.Like(u.NormalizedEmail!, pattern));
        }
        var total = await query.CountAsync(ct);
        var pages = Math.Max(1, (total + pageSize - 1) / pageSize);
        page = Math.Clamp(page, 1, pages);
        var rows = await RowsAsync(query.OrderBy(u => u.NormalizedEmail).Skip((page - 1) * pageSize).Take(pageSize), ct);
        return new Page(rows, total, page, pages);
    }

    private async Task<List<Row>> RowsAsync(IQueryable<Cms.Data.Entities.CmsUser> query, CancellationToken ct)
    {
        var users = await query.Select(u => new { u.Id, u.Email, u.LastSignInAt, u.DisabledAt, u.LockoutEnd, u.TwoFactorEnabled })
            .ToListAsync(ct);
        var ids = users.Select(u => u.Id).ToList();
        var roles = (await db.UserRoles.Where(ur => ids.Contains(ur.UserId))
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name }).ToListAsync(ct))
            .ToLookup(r => r.UserId, r => r.Name!);
        return users.Select(u => new Row(u.Id, u.Email ?? "", roles[u.Id].Order(StringComparer.Ordinal).ToList(), u.LastSignInAt,
            StatusOf(u.DisabledAt, u.LockoutEnd), u.TwoFactorEnabled)).ToList();
    }
}
