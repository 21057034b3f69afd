using Cms.Application.Users;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Identity;

namespace Cms.Web.Infrastructure.Accounts;

// The password step of signing in, doing the same work whether or not the account exists: an
// unknown name, a locked or disabled account is checked against a dummy hash, so the time taken
// does not tell which accounts exist; every failure counts for this client (SignInRecords).
public sealed class PasswordSignIn(SignInManager<CmsUser> signIn, UserManager<CmsUser> users, SignInRecords records, IPasswordHasher<CmsUser> hasher)
{
    public enum Result
    {
        Succeeded,
        RequiresTwoFactor,
        Failed,
    }

    private static readonly CmsUser Nobody = new() { UserName = "nobody" };
    private static string? _dummyHash;

    public async Task<Result> SignInAsync(HttpContext http, string name, string password, bool remember, CancellationToken ct)
    {
        var actor = Actors.Of(http);
        var client = Actors.ClientOf(http);
        var locked = await records.IsLockedAsync(name, client, ct);
        var user = await users.FindByNameAsync(name);
        if (user is null || locked)
        {
            VerifyDummy(password);
            await records.FailedAsync(actor, name, user?.Id, client, user is null ? "unknown account" : "locked out for this client", ct);
            return Result.Failed;
        }
        var result = await signIn.PasswordSignInAsync(user, password, remember, lockoutOnFailure: false);
        if (result.Succeeded || result.RequiresTwoFactor)
        {
            await records.PasswordAcceptedAsync(actor with { UserId = user.Id, Name = user.UserName ?? name }, user.Id, name, client, complete: result.Succeeded, ct);
            return result.Succeeded ? Result.Succeeded : Result.RequiresTwoFactor;
        }
        if (result.IsLockedOut || result.IsNotAllowed)
        {
            // Identity stops before the password check for these; match the work of the others.
            VerifyDummy(password);
        }
        await records.FailedAsync(actor, name, user.Id, client,
            result.IsLockedOut ? "account locked" : result.IsNotAllowed ? "account disabled" : "wrong password", ct);
        return Result.Failed;
    }

    private void VerifyDummy(string password)
    {
        _dummyHash ??= hasher.HashPassword(Nobody, Guid.NewGuid().ToString());
        hasher.VerifyHashedPassword(Nobody, _dummyHash, password);
    }
}
