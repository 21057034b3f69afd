using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cms.Data;

// The deployment's two database roles. The owner (ConnectionStrings:CmsOwner) owns the schema and
// runs the migrations; the application (ConnectionStrings:Cms) owns nothing and gets, after every
// migration, data privileges only: it can neither alter a table nor disable a trigger, and on
// audit_events it may only insert and read (events are chained by audit_seal(), a function that
// runs as the owner and can only seal). With one connection string for both, the app is the owner
// (a development shortcut that keeps the old behaviour; README "Database roles").
public static class DatabaseRoles
{
    // Tables created by later migrations are covered too: the grant is repeated after each one.
    public static string GrantAppSql(string appRole)
    {
        var role = new NpgsqlCommandBuilder().QuoteIdentifier(appRole);
        return $"""
            GRANT USAGE ON SCHEMA public TO {role};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
            REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_events FROM {role};
            REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "__EFMigrationsHistory" FROM {role};
            GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
            GRANT EXECUTE ON FUNCTION audit_seal(integer) TO {role};
            """;
    }

    public static string? RoleOf(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Username;

    // Applies the migrations as the owner, then grants the app's role (when it is another role).
    public static async Task MigrateAsync(string ownerConnectionString, string? appConnectionString, CancellationToken ct)
    {
        var options = new DbContextOptionsBuilder<CmsDbContext>();
        CmsDbContext.Configure(options, ownerConnectionString);
        await using (var owner = new CmsDbContext(options.Options))
        {
            // A migration that builds an index reads the whole table: at a million items that takes
            // longer than the 30 s default command timeout.
            owner.Database.SetCommandTimeout(TimeSpan.FromHours(1));
            await owner.Database.MigrateAsync(ct);
        }
        if (appConnectionString is not null && RoleOf(appConnectionString) is { Length: > 0 } app && app != RoleOf(ownerConnectionString))
        {
            await GrantAppAsync(ownerConnectionString, app, ct);
        }
    }

    public static async Task GrantAppAsync(string ownerConnectionString, string appRole, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(ownerConnectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(GrantAppSql(appRole), conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
