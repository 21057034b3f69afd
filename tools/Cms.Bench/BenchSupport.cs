using System.Diagnostics;
using System.Globalization;
using Cms.Application;
using Cms.Application.Setup;
using Cms.Data;
using Cms.Testing;
using Cms.Web.Cli;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Bench;

// Throwaway databases on the configured server, and process figures, for the benchmarks.
public static class BenchSupport
{
    // The owner's connection when one is configured (it creates and migrates the bench databases).
    public static string ServerConnectionString()
    {
        using var host = CliHost.Build();
        var configuration = host.Services.GetRequiredService<IConfiguration>();
        return CmsApplication.OwnerConnectionString(configuration) ?? CmsApplication.ConnectionString(configuration);
    }

    // The app's role on a bench database: the configured app role (ConnectionStrings:Cms) when a
    // separate owner is configured, otherwise the owner itself.
    public static string AppConnectionString(string benchDatabase)
    {
        using var host = CliHost.Build();
        var configuration = host.Services.GetRequiredService<IConfiguration>();
        return new NpgsqlConnectionStringBuilder(CmsApplication.ConnectionString(configuration)) { Database = benchDatabase }.ConnectionString;
    }

    public static async Task<string> CreateDatabaseAsync(string server, string name, CancellationToken ct)
    {
        await PostgresAdmin.DropDatabaseAsync(server, name, ct);
        await PostgresAdmin.ExecuteAsync(server, $"CREATE DATABASE {name}", ct);
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        await MigrateAsync(cs, ct);
        return cs;
    }

    // A database with no schema at all, for baselines that bring their own tables.
    public static async Task<string> CreateEmptyDatabaseAsync(string server, string name, CancellationToken ct)
    {
        await PostgresAdmin.DropDatabaseAsync(server, name, ct);
        await PostgresAdmin.ExecuteAsync(server, $"CREATE DATABASE {name}", ct);
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    // As the owner; the app's role (when it is another one) is granted its privileges.
    public static async Task MigrateAsync(string cs, CancellationToken ct)
    {
        await DatabaseRoles.MigrateAsync(cs, AppConnectionString(new NpgsqlConnectionStringBuilder(cs).Database!), ct);
        await CliHost.RunAsync(async s =>
        {
            await s.GetRequiredService<DatabaseSetup>().MigrateAsync(ct);
            return 0;
        }, cs);
    }

    public static Task DropDatabaseAsync(string server, string database, CancellationToken ct)
    {
        NpgsqlConnection.ClearAllPools();
        return PostgresAdmin.DropDatabaseAsync(server, database, ct);
    }

    // Peak resident set size (VmHWM) of this process, or of another one, in MiB.
    public static double PeakRssMiB(int? pid = null)
    {
        foreach (var line in File.ReadLines($"/proc/{pid?.ToString(CultureInfo.InvariantCulture) ?? "self"}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
            }
        }
        return pid is null ? Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0 : double.NaN;
    }

    // Linux: writing 5 to clear_refs resets VmHWM to the current RSS.
    public static void ResetPeakRss(int? pid = null)
    {
        try
        {
            File.WriteAllText($"/proc/{pid?.ToString(CultureInfo.InvariantCulture) ?? "self"}/clear_refs", "5");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
