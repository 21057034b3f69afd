using System.Security.Claims;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Cms.Web.Infrastructure.Accounts;

// A disabled account cannot sign in, by password or second factor.
public sealed class CmsSignInManager(UserManager<CmsUser> userManager, IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<CmsUser> claimsFactory, IOptions<IdentityOptions> optionsAccessor, ILogger<SignInManager<CmsUser>> logger,
    IAuthenticationSchemeProvider schemes, IUserConfirmation<CmsUser> confirmation)
    : SignInManager<CmsUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(CmsUser user) => user.DisabledAt is null && await base.CanSignInAsync(user);

    // Identity counts no failure for a wrong recovery code ("codes are expected to be random") and
    // redeems one on a locked account; but the holder of the password may guess from many
    // addresses, so a wrong code counts toward the lockout as a wrong authenticator code does.
    public override async Task<SignInResult> TwoFactorRecoveryCodeSignInAsync(string recoveryCode)
    {
        if (await GetTwoFactorAuthenticationUserAsync() is not { } user)
        {
            return SignInResult.Failed;
        }
        if (await IsLockedOut(user))
        {
            return await LockedOut(user);
        }
        var result = await base.TwoFactorRecoveryCodeSignInAsync(recoveryCode);
        if (result.Succeeded)
        {
            return result;
        }
        await UserManager.AccessFailedAsync(user);
        return await IsLockedOut(user) ? await LockedOut(user) : result;
    }
}

// Claims that hold a signed-in person on one page until they have done something first.
public sealed class CmsClaimsPrincipalFactory(UserManager<CmsUser> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options, AccountSecurity security)
    : UserClaimsPrincipalFactory<CmsUser, IdentityRole>(users, roles, options)
{
    public const string PendingClaim = "cms:pending";
    public const string PendingPassword = "password";
    public const string PendingTwoFactor = "two-factor";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(CmsUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.MustChangePassword)
        {
            identity.AddClaim(new Claim(PendingClaim, PendingPassword));
        }
        if (security.RequireTwoFactorForAdmins && !user.TwoFactorEnabled && identity.HasClaim(identity.RoleClaimType, Cms.Core.Security.Roles.Admin))
        {
            identity.AddClaim(new Claim(PendingClaim, PendingTwoFactor));
        }
        return identity;
    }
}
