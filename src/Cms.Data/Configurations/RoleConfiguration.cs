using Cms.Core.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

// Roles are data the code depends on, so a migration creates them with fixed ids.
public sealed class RoleConfiguration : IEntityTypeConfiguration<IdentityRole>
{
    public void Configure(EntityTypeBuilder<IdentityRole> builder)
    {
        builder.HasData(
            Role("8d1b6c0e-0000-4000-8000-000000000001", Roles.Admin),
            Role("8d1b6c0e-0000-4000-8000-000000000002", Roles.Publisher),
            Role("8d1b6c0e-0000-4000-8000-000000000003", Roles.Editor));
    }

    private static IdentityRole Role(string id, string name) => new(name)
    {
        Id = id,
        NormalizedName = name.ToUpperInvariant(),
        ConcurrencyStamp = id,
    };
}
