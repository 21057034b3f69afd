using Npgsql;

namespace Cms.Application.Tests;

// The app's role owns nothing and may read and write every table but the audit trail (insert and
// read only) and the migrations history (read only), whichever migration created it: the grant is
// repeated after every migration (DatabaseRoles), so tables added later (delivery's, say) are covered.
public sealed class DatabaseRolesTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private async Task<List<string>> AsAppAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(app.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }
        return rows;
    }

    [Fact]
    public async Task The_apps_role_owns_no_table_sequence_or_function()
    {
        var owned = await AsAppAsync("""
            SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'public' AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
            UNION ALL
            SELECT p.proname::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = 'public' AND p.proowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
            """);

        Assert.NotEqual(new NpgsqlConnectionStringBuilder(app.OwnerConnectionString).Username, new NpgsqlConnectionStringBuilder(app.ConnectionString).Username);
        Assert.Empty(owned);
    }

    [Fact]
    public async Task The_apps_role_may_read_and_write_every_table_but_the_audit_trail_and_the_migrations_history()
    {
        // By oid, not by name: the planner may test the privileges before the schema filter.
        const string PublicTables = "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')";
        var tables = await AsAppAsync($"SELECT c.relname::text {PublicTables}");
        var writable = await AsAppAsync($"""
            SELECT c.relname::text {PublicTables}
              AND has_table_privilege(current_user, c.oid, 'SELECT') AND has_table_privilege(current_user, c.oid, 'INSERT')
              AND has_table_privilege(current_user, c.oid, 'UPDATE') AND has_table_privilege(current_user, c.oid, 'DELETE')
            """);
        var unusableSequences = await AsAppAsync("""
            SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'public' AND c.relkind = 'S' AND NOT has_sequence_privilege(current_user, c.oid, 'USAGE')
            """);
        var appendOnly = await AsAppAsync("""
            SELECT 'audit_events' WHERE has_table_privilege(current_user, 'audit_events', 'SELECT')
              AND has_table_privilege(current_user, 'audit_events', 'INSERT')
              AND NOT has_table_privilege(current_user, 'audit_events', 'UPDATE')
              AND NOT has_table_privilege(current_user, 'audit_events', 'DELETE')
              AND NOT has_table_privilege(current_user, 'audit_events', 'TRUNCATE')
            """);

        Assert.Contains("published_items", tables);
        Assert.Equal(tables.Except(["audit_events", "__EFMigrationsHistory"]).Order(), writable.Order());
        Assert.Empty(unusableSequences);
        Assert.Equal(["audit_events"], appendOnly);
    }
}
