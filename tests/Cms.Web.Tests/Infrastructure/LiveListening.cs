using Npgsql;

namespace Cms.Web.Tests.Infrastructure;

// Waits until the given number of app instances on a database hold their live channel's LISTEN
// connection (LiveService opens it in the background once the host has started). A signal sent
// before an instance listens reaches none of its streams, so a test that opened a stream and then
// caused a signal could wait for an event that was never delivered; the fixtures of the live tests
// wait here first. The app's own role sees its sessions' last statement in pg_stat_activity.
public static class LiveListening
{
    public static Task WaitAsync(string appConnectionString, int instances) =>
        Eventually.HappensAsync(async () =>
        {
            await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(appConnectionString) { Pooling = false }.ConnectionString);
            await conn.OpenAsync();
            await using var count = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND usename = current_user AND query = @listen AND pid <> pg_backend_pid()", conn);
            count.Parameters.AddWithValue("listen", "LISTEN " + Cms.Application.Live.LiveSignal.Channel);
            return (long)(await count.ExecuteScalarAsync())! >= instances;
        }, $"{instances} app instance(s) listening on {Cms.Application.Live.LiveSignal.Channel}");
}
