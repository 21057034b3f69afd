using Microsoft.AspNetCore.Identity;

namespace Cms.Data.Entities;

public sealed class CmsUser : IdentityUser
{
    public DateTimeOffset CreatedAt { get; set; }

    // Set when an admin disables the account: it cannot sign in and has no sessions.
    public DateTimeOffset? DisabledAt { get; set; }

    // Set by an admin: the next sign-in leads to the change-password page before anything else.
    public bool MustChangePassword { get; set; }

    public DateTimeOffset? LastSignInAt { get; set; }
}
