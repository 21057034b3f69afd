using Cms.Web.Infrastructure;

namespace Cms.Web.Cli;

// A host without a web server, for commands: same configuration sources and registrations.
public static class CliHost
{
    public static IHost Build(string? connectionString = null)
    {
        var builder = Host.CreateApplicationBuilder();
        if (connectionString is not null)
        {
            builder.Configuration["ConnectionStrings:Cms"] = connectionString;
        }
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        // Migrate probes a history table that does not exist yet on a new database; that is not an error.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None);
        builder.Services.AddCmsCore(builder.Configuration);
        builder.Services.AddCmsIdentityCore();
        return builder.Build();
    }
}
