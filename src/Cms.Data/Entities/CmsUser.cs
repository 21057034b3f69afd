using Microsoft.AspNetCore.Identity;

namespace Cms.Data.Entities;

public sealed class CmsUser : IdentityUser
{
    public DateTimeOffset CreatedAt { get; set; }
}
