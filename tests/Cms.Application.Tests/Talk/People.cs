using Cms.Data;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests.Talk;

// Real accounts (comments, mentions and the inbox refer to them by id), with the actor each acts as.
public static class People
{
    public static async Task<Actor> CreateAsync(ApplicationFixture app, string? role, string? name = null)
    {
        name ??= $"{(role ?? "norole").ToLowerInvariant()}-{Guid.NewGuid():N}"[..20] + "@example.com";
        await app.RunAsync(async s =>
        {
            var users = s.GetRequiredService<UserManager<CmsUser>>();
            var user = new CmsUser { UserName = name, Email = name, EmailConfirmed = true, CreatedAt = DateTimeOffset.UtcNow };
            Check(await users.CreateAsync(user));
            if (role is not null)
            {
                Check(await users.AddToRoleAsync(user, role));
            }
            return user;
        });
        var id = app.Read(db => db.Users.Single(u => u.UserName == name).Id);
        return new Actor(id, name, Permissions.Of(role is null ? [] : [role]));
    }

    public static List<Notification> InboxOf(ApplicationFixture app, Actor person) =>
        app.Read(db => db.Notifications.Where(n => n.UserId == person.UserId).OrderBy(n => n.Id).ToList());

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
