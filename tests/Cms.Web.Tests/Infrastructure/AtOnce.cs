using System.Net;
using Npgsql;

namespace Cms.Web.Tests.Infrastructure;

// Two requests that both read "no row yet" and both write one, lined up deterministically: a lock
// on the table lets their reads through and stops their writes; once both wait on it, they go.
public static class AtOnce
{
    // A form post ready to send (its antiforgery token read from the page first).
    public static async Task<Func<Task<HttpResponseMessage>>> PreparedPostAsync(HttpClient client, string pageUrl, string postUrl, Dictionary<string, string> fields)
    {
        var token = Http.AntiforgeryToken(await client.GetStringAsync(pageUrl));
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token };
        return () => client.PostAsync(postUrl, new FormUrlEncodedContent(form));
    }

    // The posts' answers, sorted, once they all ran while the table was locked against writes.
    public static async Task<HttpStatusCode[]> WritingAsync(string ownerConnectionString, string table, params Func<Task<HttpResponseMessage>>[] posts)
    {
        await using var holder = new NpgsqlConnection(ownerConnectionString);
        await holder.OpenAsync();
        await using var tx = await holder.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand($"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE", holder, tx))
        {
            await lockTable.ExecuteNonQueryAsync();
        }
        var running = posts.Select(p => Task.Run(p)).ToArray();
        await Eventually.HappensAsync(async () =>
        {
            await using var watcher = new NpgsqlConnection(ownerConnectionString);
            await watcher.OpenAsync();
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = '{table}'::regclass", watcher);
            return (long)(await count.ExecuteScalarAsync())! >= posts.Length;
        }, $"every request waiting to write to {table}");
        await tx.RollbackAsync();
        return [.. (await Task.WhenAll(running)).Select(r => r.StatusCode).Order()];
    }
}
