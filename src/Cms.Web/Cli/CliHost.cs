using Cms.Application;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Identity;

namespace Cms.Web.Cli;

// A host without a web server, for commands: same configuration sources and registrations.
public static class CliHost
{
    // settings: configuration values set on top (the benchmarks' sweeps).
    public static IHost Build(string? connectionString = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder();
        if (connectionString is not null)
        {
            builder.Configuration["ConnectionStrings:Cms"] = connectionString;
            // An owner connection from the environment names another database.
            builder.Configuration["ConnectionStrings:CmsOwner"] = "";
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.Configuration[key] = value;
        }
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        // Migrate probes a history table that does not exist yet on a new database; that is not an error.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None);
        builder.Services.AddCmsApplication(builder.Configuration);
        // Identity without cookies; token providers for password resets.
        builder.Services.AddIdentityCore<CmsUser>(CmsApplication.ConfigureIdentity)
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<CmsDbContext>()
            .AddDefaultTokenProviders();
        return builder.Build();
    }

    // Runs one handler in a fresh scope.
    public static async Task<T> RunAsync<T>(Func<IServiceProvider, Task<T>> work, string? connectionString = null)
    {
        using var host = Build(connectionString);
        using var scope = host.Services.CreateScope();
        return await work(scope.ServiceProvider);
    }
}
