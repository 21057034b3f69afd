using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Cms.Web.Infrastructure;

// Registrations shared by the web app and the command line, so both see the same database,
// Identity rules, key ring and item reader.
public static class CmsServices
{
    public static string ConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString("Cms") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "No database configured: set ConnectionStrings__Cms, or start through ./cms which creates a local cluster.");

    public static IServiceCollection AddCmsCore(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = ConnectionString(configuration);
        services.AddDbContext<CmsDbContext>(o => CmsDbContext.Configure(o, connectionString));
        services.AddDataProtection()
            .SetApplicationName("Cms")
            .PersistKeysToDbContext<CmsDbContext>();

        var frontMatter = new FrontMatterOptions
        {
            MaxBytes = configuration.GetValue("Import:MaxFileBytes", FrontMatterOptions.DefaultMaxBytes),
        };
        services.AddSingleton(frontMatter);
        services.AddSingleton<IFrontMatterReader, YamlFrontMatterReader>();
        services.AddSingleton<IFrontMatterWriter, YamlFrontMatterWriter>();
        services.AddSingleton<ItemParser>();
        services.AddSingleton<IExcerptSanitizer, ExcerptSanitizer>();
        services.AddScoped<Importing.ItemImporter>();
        services.AddScoped<Importing.ItemExporter>();
        services.AddScoped<Queue.QueueQuery>();
        return services;
    }

    public static void ConfigureIdentity(IdentityOptions options)
    {
        // Length over composition (NIST SP 800-63B): 12 characters, no class rules.
        options.Password.RequiredLength = 12;
        options.Password.RequireDigit = false;
        options.Password.RequireLowercase = false;
        options.Password.RequireUppercase = false;
        options.Password.RequireNonAlphanumeric = false;
        options.Password.RequiredUniqueChars = 1;
        options.Lockout.AllowedForNewUsers = true;
        options.Lockout.MaxFailedAccessAttempts = 5;
        options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
        options.User.RequireUniqueEmail = true;
        options.SignIn.RequireConfirmedAccount = false;
    }

    // Identity for the command line: user and role managers, no cookies.
    public static IServiceCollection AddCmsIdentityCore(this IServiceCollection services)
    {
        services.AddIdentityCore<CmsUser>(ConfigureIdentity)
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<CmsDbContext>();
        return services;
    }
}
