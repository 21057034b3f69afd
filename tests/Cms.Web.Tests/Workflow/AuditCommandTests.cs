using System.Diagnostics;
using System.Text.RegularExpressions;
using Cms.Core.Auditing;
using Cms.Web.Tests.Infrastructure;
using Npgsql;

namespace Cms.Web.Tests.Workflow;

// ./cms audit verify and seal as an operator runs them, and real processes killed mid-work (held
// inside their transaction by a lock the test takes, so the kill lands at a known point); each test
// tampers with (or kills its way through) a database of its own. The app runs as the role that
// owns nothing; tampering is done as the schema's owner.
public sealed class AuditCommandTests : WebTest
{
    private Dictionary<string, string?> Environment(params (string Key, string? Value)[] extra)
    {
        var env = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Cms"] = ConnectionString,
            ["Audit__AnchorFolder"] = Factory.AnchorFolder,
        };
        foreach (var (key, value) in extra)
        {
            env[key] = value;
        }
        return env;
    }

    private Task<(int ExitCode, string Output, string Errors)> VerifyAsync(params string[] extra) =>
        Repo.RunCmsAsync(Environment(), ["audit", "verify", .. extra]);

    private Task<(int ExitCode, string Output, string Errors)> SealAsync() => Repo.RunCmsAsync(Environment(), "audit", "seal");

    private async Task TamperAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(App.OwnerConnectionString);
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

    private (int Events, int Sealed, int DistinctSeqs, long MaxSeq) Trail() => Factory.WithDb(db =>
        (db.AuditEvents.Count(), db.AuditEvents.Count(e => e.Seq != null), db.AuditEvents.Select(e => e.Seq).Distinct().Count(e => e != null),
            db.AuditEvents.Max(e => e.Seq) ?? 0));

    [Fact]
    public async Task An_untouched_trail_seals_verifies_with_its_count_and_head_and_holds_its_anchor()
    {
        await ImportAsync(new TestItem(), new TestItem());
        var count = Factory.WithDb(db => db.AuditEvents.Count());

        var sealing = await SealAsync();
        var (exit, output, errors) = await VerifyAsync();
        var anchored = await VerifyAsync("--anchor", Head(output));

        Assert.True(sealing.ExitCode == 0, sealing.Errors);
        Assert.Matches($"^sealed {count} events; head #{count} [0-9a-f]{{64}}\nanchor #{count} in .+\\.anchors\n$", sealing.Output);
        Assert.True(exit == 0, errors);
        Assert.Matches($"^verified {count} events in [0-9.]+ s; head [0-9a-f]{{64}}\nlatest anchor #{count} of .+ holds \\(.+\\)\n$", output);
        Assert.Equal(0, anchored.ExitCode);
    }

    [Fact]
    public async Task An_altered_event_makes_verify_exit_1_naming_it()
    {
        await ImportAsync(new TestItem(), new TestItem(), new TestItem());
        await Factory.SealAsync();
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
        await Factory.SealAsync();
        var head = Head((await VerifyAsync()).Output);
        var last = Factory.WithDb(db => db.AuditEvents.Max(e => e.Seq));

        await TamperAsync($"DELETE FROM audit_events WHERE seq >= {last - 1}");
        var plain = await VerifyAsync();
        var anchored = await VerifyAsync("--anchor", head);

        // No anchor was kept (nothing ran `audit seal` or a sealing loop), so only the given one tells.
        Assert.Equal(0, plain.ExitCode);
        Assert.Contains("no anchor kept yet", plain.Output);
        Assert.Equal(1, anchored.ExitCode);
        Assert.Contains($"anchor {head} is not in the chain", anchored.Errors);
    }

    // The rewrite, as the only role that still can: drop an event, renumber the rest and
    // recompute every hash. The anchor the product kept outside the database no longer matches.
    [Fact]
    public async Task The_owners_rewrite_with_every_hash_recomputed_makes_verify_exit_1_without_an_anchor_argument()
    {
        await ImportAsync(new TestItem(), new TestItem(), new TestItem());
        Assert.Equal(0, (await SealAsync()).ExitCode);
        var anchored = Trail().Events;

        await TamperAsync("""
            DELETE FROM audit_events WHERE seq = 2;
            UPDATE audit_events SET seq = seq - 1 WHERE seq > 2;
            DO $$
            DECLARE r record; previous text := repeat('0', 64);
            BEGIN
              FOR r IN SELECT id, payload FROM audit_events ORDER BY seq LOOP
                UPDATE audit_events SET prev_hash = previous,
                  hash = encode(sha256(convert_to(previous || E'\n' || r.payload, 'UTF8')), 'hex') WHERE id = r.id
                  RETURNING hash INTO previous;
              END LOOP;
            END $$
            """);
        var (exit, _, errors) = await VerifyAsync();
        var anchorAgain = await SealAsync();

        Assert.Equal(1, exit);
        Assert.Contains($"audit trail does not hold its latest anchor (#{anchored} ", errors);
        Assert.Contains("events were removed", errors);
        // The forged head is never anchored: the file keeps the last good one.
        Assert.Equal(1, anchorAgain.ExitCode);
        Assert.Contains("not anchoring", anchorAgain.Errors);
        Assert.Equal(1, (await VerifyAsync()).ExitCode);
    }

    // The app's role, under a name of its own, for the processes these tests kill.
    private const string Killed = "cms-killed-by-test";

    private Dictionary<string, string?> KilledProcessEnvironment(params (string Key, string? Value)[] extra)
    {
        var env = Environment(extra);
        env["ConnectionStrings__Cms"] = new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = Killed }.ConnectionString;
        return env;
    }

    // Gates, not clocks: the database says when the process is stuck inside its transaction, and
    // when its session is gone after the kill. The timeout only fails the test with a message.
    private async Task UntilAsync(string sql, string what)
    {
        await using var conn = new NpgsqlConnection(App.OwnerConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.AddWithValue("name", Killed);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!(bool)(await cmd.ExecuteScalarAsync())!)
        {
            Assert.True(DateTime.UtcNow < deadline, $"never saw {what}");
            await Task.Delay(50);
        }
    }

    private Task UntilBlockedAsync() => UntilAsync(
        "SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE NOT l.granted AND a.application_name = @name)",
        "the process waiting inside its transaction");

    private Task UntilGoneAsync() => UntilAsync(
        "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = @name)", "the killed process's session end");

    private static async Task KillAsync(Process process)
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    private static Process Start(ProcessStartInfo start)
    {
        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    [Fact]
    public async Task A_sealer_process_killed_mid_round_seals_nothing_and_the_next_round_chains_every_event_once()
    {
        await ImportAsync(new TestItem(), new TestItem(), new TestItem(), new TestItem());
        var events = Trail().Events;
        // The owner holds the newest event's row: the sealer's round stops there with the sealers'
        // lock taken and the other events' chain written, uncommitted.
        await using var gate = new NpgsqlConnection(App.OwnerConnectionString);
        await gate.OpenAsync();
        await using var hold = await gate.BeginTransactionAsync();
        await using (var row = new NpgsqlCommand("SELECT id FROM audit_events WHERE seq IS NULL ORDER BY id DESC LIMIT 1 FOR UPDATE", gate, hold))
        {
            await row.ExecuteScalarAsync();
        }

        using (var sealer = Start(Repo.Cms(KilledProcessEnvironment(), "audit", "seal")))
        {
            await UntilBlockedAsync();
            await KillAsync(sealer);
        }
        await hold.RollbackAsync();
        await UntilGoneAsync();

        Assert.Equal((events, 0), (Trail().Events, Trail().Sealed));

        var restarted = await SealAsync();
        var verified = await VerifyAsync();

        Assert.True(restarted.ExitCode == 0, restarted.Errors);
        Assert.StartsWith($"sealed {events} events; head #{events} ", restarted.Output);
        Assert.Equal((events, events, events, (long)events), Trail());
        Assert.True(verified.ExitCode == 0, verified.Errors);
        Assert.StartsWith($"verified {events} events", verified.Output);
    }

    [Fact]
    public async Task An_import_process_killed_mid_batch_keeps_only_committed_batches_whose_events_seal_and_verify_and_a_rerun_imports_the_rest()
    {
        // Every file names a category of its own; the owner holds one of those names, uncommitted, so
        // the batch with that file stops creating it, after its items and audit events are written.
        var tag = Unique.Tag();
        using var corpus = new Corpus();
        for (var i = 0; i < 250; i++)
        {
            corpus.Write($"{i:D3}_story.txt", new TestItem { Category = $"gate-{tag}-{i}" }.ToYaml());
        }
        var batches = (Key: "Import__BatchFiles", Value: (string?)"50");
        await using var gate = new NpgsqlConnection(App.OwnerConnectionString);
        await gate.OpenAsync();
        await using var hold = await gate.BeginTransactionAsync();
        await using (var category = new NpgsqlCommand($"INSERT INTO categories (name, from_import) VALUES ('gate-{tag}-137', true)", gate, hold))
        {
            await category.ExecuteNonQueryAsync();
        }

        using (var import = Start(Repo.Cms(KilledProcessEnvironment(batches), "import", corpus.Dir)))
        {
            await UntilBlockedAsync();
            await KillAsync(import);
        }
        await hold.RollbackAsync();
        await UntilGoneAsync();

        // Whole batches only (which ones came before the gate depends on the folder's order).
        var committed = Factory.WithDb(db => db.Items.Count());
        Assert.True(committed % 50 == 0 && committed < 250, $"{committed} items");
        Assert.Equal(committed, Factory.WithDb(db => db.AuditEvents.Count(e => e.Action == AuditActions.ItemImported)));
        Assert.Equal(0, (await SealAsync()).ExitCode);
        var afterKill = await VerifyAsync();
        Assert.True(afterKill.ExitCode == 0, afterKill.Errors);
        Assert.StartsWith($"verified {Trail().Events} events", afterKill.Output);

        var rerun = await Repo.RunCmsAsync(Environment(batches), "import", corpus.Dir);
        var sealing = await SealAsync();
        var verified = await VerifyAsync();

        Assert.True(rerun.ExitCode == 0, rerun.Errors);
        Assert.Contains($"imported {250 - committed}, updated 0, unchanged {committed}, rejected 0", rerun.Output);
        Assert.Equal(0, sealing.ExitCode);
        var (count, sealedCount, distinct, max) = Trail();
        Assert.Equal(250, Factory.WithDb(db => db.AuditEvents.Count(e => e.Action == AuditActions.ItemImported)));
        Assert.Equal((count, count, (long)count), (sealedCount, distinct, max));
        Assert.True(verified.ExitCode == 0, verified.Errors);
        Assert.StartsWith($"verified {count} events", verified.Output);
    }

    [Fact]
    public async Task A_malformed_anchor_is_a_usage_error()
    {
        var (exit, _, errors) = await VerifyAsync("--anchor", "not-a-hash");

        Assert.Equal(2, exit);
        Assert.Contains("--anchor must be a SHA-256 hash", errors);
    }
}
