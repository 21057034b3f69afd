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
        await DropDatabaseAsync(server, name, ct);
        await PostgresAdmin.ExecuteAsync(server, $"CREATE DATABASE {name}", ct);
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        await MigrateAsync(cs, ct);
        return cs;
    }

    // A database with no schema at all, for baselines that bring their own tables.
    public static async Task<string> CreateEmptyDatabaseAsync(string server, string name, CancellationToken ct)
    {
        await DropDatabaseAsync(server, name, ct);
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

    // DROP ... WITH (FORCE) ends the database's other sessions, which only the owner (or a member of
    // each session's role) may do: as another role it failed with 42501 after half a minute of
    // retries meant for autovacuum. Now a database this role may not drop is named with its owner at
    // once, and the sessions of roles this role may end are ended before the drop.
    public static async Task DropDatabaseAsync(string server, string database, CancellationToken ct)
    {
        NpgsqlConnection.ClearAllPools();
        await using (var conn = new NpgsqlConnection(server))
        {
            await conn.OpenAsync(ct);
            await using var owner = new NpgsqlCommand("""
                SELECT pg_get_userbyid(d.datdba), current_user, pg_has_role(current_user, d.datdba, 'MEMBER')
                FROM pg_database d WHERE d.datname = @name
                """, conn);
            owner.Parameters.AddWithValue("name", database);
            await using (var reader = await owner.ExecuteReaderAsync(ct))
            {
                if (!await reader.ReadAsync(ct))
                {
                    return;
                }
                if (!reader.GetBoolean(2))
                {
                    throw new InvalidOperationException(
                        $"cannot drop the bench database {database}: it belongs to {reader.GetString(0)}, not {reader.GetString(1)}; drop it as {reader.GetString(0)} or ALTER DATABASE {database} OWNER TO {reader.GetString(1)}");
                }
            }
            await using var end = new NpgsqlCommand("""
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = @name AND pid <> pg_backend_pid() AND usesysid IS NOT NULL AND pg_has_role(current_user, usesysid, 'MEMBER')
                """, conn);
            end.Parameters.AddWithValue("name", database);
            await end.ExecuteNonQueryAsync(ct);
        }
        await PostgresAdmin.DropDatabaseAsync(server, database, ct);
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

    // CPU seconds (user + system) of this process, and of the PostgreSQL processes serving one
    // database (backends and autovacuum workers whose title names it; the shared cluster serves
    // other people's work too): where an import's CPU goes, the app or the database. A backend that
    // exits meanwhile takes its time with it, so measure while the work's connections are open.
    public static (double App, double Postgres) CpuSeconds(string database)
    {
        var app = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var pg = ProcCpu.Postgres()
            .Where(p => p.CommandLine.Split(' ').Contains(database))
            .Sum(p => ProcCpu.Ticks(p.Pid) ?? 0) / ProcCpu.TicksPerSecond;
        return (app, pg);
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
