using System.Text.RegularExpressions;
using Cms.Web.Tests.Infrastructure;
using Npgsql;

namespace Cms.Web.Tests.Workflow;

// ./cms audit verify as an operator runs it; each test tampers with a database of its own.
public sealed class AuditCommandTests : WebTest
{
    private Task<(int ExitCode, string Output, string Errors)> VerifyAsync(params string[] extra) =>
        Repo.RunCmsAsync(new Dictionary<string, string?> { ["ConnectionStrings__Cms"] = ConnectionString }, ["audit", "verify", .. extra]);

    private async Task TamperAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"""
            GRANT UPDATE, DELETE ON audit_events TO CURRENT_USER;
            ALTER TABLE audit_events DISABLE TRIGGER USER;
            {sql};
            ALTER TABLE audit_events ENABLE TRIGGER USER;
            """, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private static string Head(string output) => Regex.Match(output, "head ([0-9a-f]{64})").Groups[1].Value;

    [Fact]
    public async Task An_untouched_trail_verifies_with_its_count_and_head_and_a_kept_anchor()
    {
        await ImportAsync(new TestItem(), new TestItem());
        var count = Factory.WithDb(db => db.AuditEvents.Count());

        var (exit, output, errors) = await VerifyAsync();
        var anchored = await VerifyAsync("--anchor", Head(output));

        Assert.True(exit == 0, errors);
        Assert.Matches($"^verified {count} events in [0-9.]+ s; head [0-9a-f]{{64}}\n$", output);
        Assert.Equal(0, anchored.ExitCode);
    }

    [Fact]
    public async Task An_altered_event_makes_verify_exit_1_naming_it()
    {
        await ImportAsync(new TestItem(), new TestItem(), new TestItem());
        var target = Factory.WithDb(db => db.AuditEvents.OrderBy(e => e.Seq).Skip(1).First());

        await TamperAsync($"UPDATE audit_events SET payload = replace(payload, '.txt', '.doc') WHERE id = {target.Id}");
        var (exit, _, errors) = await VerifyAsync();

        Assert.Equal(1, exit);
        Assert.Contains($"audit trail broken at event #{target.Seq} (id {target.Id}): its hash does not match its content", errors);
    }

    [Fact]
    public async Task After_the_last_events_are_deleted_the_old_head_as_anchor_fails()
    {
        await ImportAsync(new TestItem(), new TestItem(), new TestItem());
        var head = Head((await VerifyAsync()).Output);
        var last = Factory.WithDb(db => db.AuditEvents.Max(e => e.Seq));

        await TamperAsync($"DELETE FROM audit_events WHERE seq >= {last - 1}");
        var plain = await VerifyAsync();
        var anchored = await VerifyAsync("--anchor", head);

        Assert.Equal(0, plain.ExitCode);
        Assert.Equal(1, anchored.ExitCode);
        Assert.Contains($"anchor {head} is not in the chain", anchored.Errors);
    }

    [Fact]
    public async Task A_malformed_anchor_is_a_usage_error()
    {
        var (exit, _, errors) = await VerifyAsync("--anchor", "not-a-hash");

        Assert.Equal(2, exit);
        Assert.Contains("--anchor must be a SHA-256 hash", errors);
    }
}
