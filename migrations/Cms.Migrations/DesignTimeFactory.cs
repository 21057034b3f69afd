using Microsoft.EntityFrameworkCore;
using Cms.Data;
using Microsoft.EntityFrameworkCore.Design;

namespace Cms.Migrations;

// Used by `dotnet ef migrations add`; no database is contacted for that.
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<CmsDbContext>
{
    public CmsDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<CmsDbContext>();
        CmsDbContext.Configure(builder, Environment.GetEnvironmentVariable("ConnectionStrings__Cms") ?? "Host=127.0.0.1;Port=55432;Database=cms;Username=cms");
        return new CmsDbContext(builder.Options);
    }
}
