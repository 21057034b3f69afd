using System.Diagnostics;
using Cms.Web.Infrastructure;
using Npgsql;

namespace Cms.Web.Cli;

// Throwaway databases on the configured server, and process figures, for the benchmarks.
public static class BenchSupport
{
    public static string ServerConnectionString()
    {
        using var host = CliHost.Build();
        return CmsServices.ConnectionString(host.Services.GetRequiredService<IConfiguration>());
    }

    public static async Task<string> CreateDatabaseAsync(string server, string name, CancellationToken ct)
    {
        await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)", ct);
        await ExecuteAsync(server, $"CREATE DATABASE {name}", ct);
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        using var host = CliHost.Build(cs);
        await Setup.MigrateAsync(host.Services, ct);
        return cs;
    }

    public static async Task DropDatabaseAsync(string server, string database, CancellationToken ct)
    {
        NpgsqlConnection.ClearAllPools();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)", ct);
                return;
            }
            catch (PostgresException ex) when (ex.SqlState is "42501" or "55006" && attempt < 30)
            {
                // An autovacuum worker (a superuser's backend) may still be busy on the freshly
                // loaded database; a non-superuser cannot terminate it, only wait for it.
                await Task.Delay(1000, ct);
            }
        }
    }

    public static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    // Peak resident set size of this process (VmHWM), in MiB.
    public static double PeakRssMiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
            }
        }
        return Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0;
    }
}
