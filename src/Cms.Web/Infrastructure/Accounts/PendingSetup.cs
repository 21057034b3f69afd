namespace Cms.Web.Infrastructure.Accounts;

// A person who must change their password, or an admin who must set up two-factor sign-in
// (Security:RequireTwoFactorForAdmins), reaches nothing but that page (and sign-out) until done.
public static class PendingSetup
{
    public const string ChangePasswordPage = "/Account/Manage/ChangePassword";
    public const string EnableAuthenticatorPage = "/Account/Manage/EnableAuthenticator";

    private static readonly string[] AlwaysOpen = ["/Account/Logout", "/Account/AccessDenied", "/Account/Login", "/healthz", "/readyz"];

    public static IApplicationBuilder UsePendingAccountSetup(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var pending = context.User.FindAll(CmsClaimsPrincipalFactory.PendingClaim).Select(c => c.Value).ToHashSet();
        var target = pending.Contains(CmsClaimsPrincipalFactory.PendingPassword) ? ChangePasswordPage
            : pending.Contains(CmsClaimsPrincipalFactory.PendingTwoFactor) ? EnableAuthenticatorPage
            : null;
        var path = context.Request.Path;
        if (target is not null && !path.StartsWithSegments(target, StringComparison.OrdinalIgnoreCase)
            && !path.StartsWithSegments("/Account/Manage/ShowRecoveryCodes", StringComparison.OrdinalIgnoreCase)
            && !AlwaysOpen.Any(open => path.StartsWithSegments(open, StringComparison.OrdinalIgnoreCase)))
        {
            context.Response.Redirect(target);
            return;
        }
        await next(context);
    });
}
