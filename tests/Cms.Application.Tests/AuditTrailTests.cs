using Cms.Application.Auditing;
using Cms.Application.Importing;
using Cms.Application.Items;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Application.Tests;

// Each test tampers with (or races on) a trail of its own: one database per test.
public sealed class AuditTrailTests : IAsyncLifetime
{
    private readonly ApplicationFixture _app = new();

    public Task InitializeAsync() => _app.InitializeAsync();

    public Task DisposeAsync() => _app.DisposeAsync();

    private Task<AuditVerifier.Result> VerifyAsync(string? anchor = null) =>
        _app.RunAsync(s => s.GetRequiredService<AuditVerifier>().VerifyAsync(anchor, CancellationToken.None));

    private Task<AuditAnchors.Outcome> AnchorAsync() => _app.RunAsync(s => s.GetRequiredService<AuditAnchors>().AnchorAsync(now: true, CancellationToken.None));

    private static async Task SqlAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    // As the schema's owner: only the owner could ever rewrite history.
    private Task AsOwnerAsync(string sql) => SqlAsync(_app.OwnerConnectionString, sql);

    // As the role the app runs as.
    private Task AsAppAsync(string sql) => SqlAsync(_app.ConnectionString, sql);

    // What the owner who wants to rewrite history has to do first (and leaves in place).
    private Task AsTamperingOwnerAsync(string sql) => AsOwnerAsync($"""
        GRANT UPDATE, DELETE ON audit_events TO CURRENT_USER;
        ALTER TABLE audit_events DISABLE TRIGGER USER;
        {sql};
        ALTER TABLE audit_events ENABLE TRIGGER USER;
        """);

    // The rewrite: drop event #2, renumber what follows and recompute every (unkeyed) hash.
    private const string RewriteWithoutEvent2 = """
        DELETE FROM audit_events WHERE seq = 2;
        UPDATE audit_events SET seq = seq - 1 WHERE seq > 2;
        """ + RehashAll;

    // Every (unkeyed) hash recomputed from the start, in seq order.
    private const string RehashAll = """

        DO $$
        DECLARE r record; previous text := repeat('0', 64);
        BEGIN
          FOR r IN SELECT id, payload FROM audit_events WHERE seq IS NOT NULL ORDER BY seq LOOP
            UPDATE audit_events SET prev_hash = previous,
              hash = encode(sha256(convert_to(previous || E'\n' || r.payload, 'UTF8')), 'hex') WHERE id = r.id
              RETURNING hash INTO previous;
          END LOOP;
        END $$
        """;

    // Three items imported and rejected, all sealed into the chain.
    private async Task<List<long>> SomeEventsAsync()
    {
        var ids = await _app.ImportAsync(new TestItem().ToYaml(), new TestItem().ToYaml(), new TestItem().ToYaml());
        foreach (var id in ids)
        {
            await _app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(Actors.Editor(), new(id, WorkflowAction.Reject, "duplicate"), CancellationToken.None));
        }
        await _app.SealAsync();
        return ids;
    }

    [Fact]
    public async Task An_untouched_trail_verifies_and_names_its_head()
    {
        await SomeEventsAsync();

        var result = await VerifyAsync();

        Assert.True(result.Ok, result.FirstBad?.Reason);
        Assert.Equal(_app.Read(db => db.AuditEvents.Count()), result.Checked);
        Assert.Equal(_app.Read(db => db.AuditEvents.OrderByDescending(e => e.Seq).First().Hash), result.Head);
        Assert.True((await VerifyAsync(result.Head)).Ok);
    }

    [Theory]
    [InlineData("UPDATE audit_events SET actor = 'someone else'")]
    [InlineData("DELETE FROM audit_events")]
    [InlineData("TRUNCATE audit_events")]
    public async Task Nobody_may_update_delete_or_truncate_events_not_even_the_owner(string sql)
    {
        await SomeEventsAsync();
        var count = _app.Read(db => db.AuditEvents.Count());

        // The owner holds neither privilege...
        var denied = await Assert.ThrowsAsync<PostgresException>(() => AsOwnerAsync(sql));
        // ...and granting it back only meets the trigger.
        var refused = await Assert.ThrowsAsync<PostgresException>(() => AsOwnerAsync($"GRANT UPDATE, DELETE, TRUNCATE ON audit_events TO CURRENT_USER; {sql}"));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
        Assert.Contains("append-only", refused.MessageText);
        Assert.Equal(count, _app.Read(db => db.AuditEvents.Count()));
    }

    [Fact]
    public async Task A_row_altered_with_the_triggers_disabled_is_named_by_verify()
    {
        var ids = await SomeEventsAsync();
        var target = _app.Read(db => db.AuditEvents.Single(e => e.Action == AuditActions.ItemStateChanged && e.EntityId == ids[1].ToString()));

        await AsTamperingOwnerAsync($"UPDATE audit_events SET payload = replace(payload, 'duplicate', 'spam') WHERE id = {target.Id}");
        var result = await VerifyAsync();

        Assert.False(result.Ok);
        Assert.Equal(target.Seq, result.FirstBad!.Seq);
        Assert.Equal(target.Id, result.FirstBad.Id);
        Assert.Contains("hash", result.FirstBad.Reason);
    }

    [Fact]
    public async Task A_column_changed_without_its_payload_is_named_by_verify()
    {
        var ids = await SomeEventsAsync();
        var target = _app.Read(db => db.AuditEvents.First(e => e.EntityId == ids[0].ToString()));

        await AsTamperingOwnerAsync($"UPDATE audit_events SET actor = 'innocent@example.com' WHERE id = {target.Id}");
        var result = await VerifyAsync();

        Assert.Equal(target.Seq, result.FirstBad!.Seq);
        Assert.Contains("actor", result.FirstBad.Reason);
    }

    [Fact]
    public async Task A_row_inserted_already_chained_is_refused_and_one_slipped_in_by_the_owner_is_named_by_verify()
    {
        await SomeEventsAsync();
        var head = _app.Read(db => db.AuditEvents.OrderByDescending(e => e.Seq).First());
        var forged = $"INSERT INTO audit_events (seq, at, actor, action, payload, prev_hash, hash) VALUES ({head.Seq + 1}, now(), 'x', 'y', '{{}}', '{head.Hash}', repeat('0', 64))";

        // Only the sealer assigns a place in the chain...
        var refused = await Assert.ThrowsAsync<PostgresException>(() => AsAppAsync(forged));
        // ...and what the owner slips in with the triggers off, verify names.
        await AsTamperingOwnerAsync(forged);
        var result = await VerifyAsync();

        Assert.Contains("assigned by audit_seal()", refused.MessageText);
        Assert.Equal(head.Seq + 1, result.FirstBad!.Seq);
        Assert.Contains("hash", result.FirstBad.Reason);
    }

    [Fact]
    public async Task A_deleted_middle_event_breaks_the_chain_and_a_deleted_tail_fails_the_anchor()
    {
        await SomeEventsAsync();
        var head = (await VerifyAsync()).Head;
        var last = _app.Read(db => db.AuditEvents.Max(e => e.Seq));

        await AsTamperingOwnerAsync($"DELETE FROM audit_events WHERE seq > {last - 2}");
        var withoutAnchor = await VerifyAsync();
        var withAnchor = await VerifyAsync(head);

        Assert.True(withoutAnchor.Ok, "a shortened chain is still a chain when no anchor was kept");
        Assert.False(withAnchor.Ok);
        Assert.True(withAnchor.AnchorMissing);

        await AsTamperingOwnerAsync("DELETE FROM audit_events WHERE seq = 2");
        var gap = await VerifyAsync();
        Assert.Equal(3, gap.FirstBad!.Seq);
    }

    [Fact]
    public async Task The_apps_role_can_neither_disable_the_triggers_nor_delete_renumber_or_rehash_events()
    {
        await SomeEventsAsync();
        var count = _app.Read(db => db.AuditEvents.Count());
        string[] attempts =
        [
            "ALTER TABLE audit_events DISABLE TRIGGER USER",
            "SET session_replication_role = replica",
            "DELETE FROM audit_events WHERE seq = 2",
            "UPDATE audit_events SET seq = seq - 1 WHERE seq > 2",
            "UPDATE audit_events SET hash = repeat('0', 64)",
            "TRUNCATE audit_events",
            "DROP TABLE audit_events",
            "CREATE OR REPLACE FUNCTION audit_events_seal_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
            // A grant to itself is only a warning for a role that owns nothing; the delete still fails.
            "GRANT UPDATE, DELETE ON audit_events TO CURRENT_USER; DELETE FROM audit_events WHERE seq = 2",
            RewriteWithoutEvent2,
        ];

        foreach (var sql in attempts)
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => AsAppAsync(sql));
            Assert.True(refused.SqlState == PostgresErrorCodes.InsufficientPrivilege, $"{sql}: {refused.SqlState} {refused.MessageText}");
        }

        var result = await VerifyAsync();
        Assert.True(result.Ok, result.FirstBad?.Reason);
        Assert.Equal(count, result.Checked);
    }

    // Drop event #2 and renumber, or change what event #2 says; every hash after it recomputed.
    public static TheoryData<string> Rewrites => new()
    {
        RewriteWithoutEvent2,
        """
        UPDATE audit_events SET actor = 'nobody', payload = replace(payload, '"actor":"' || actor || '"', '"actor":"nobody"') WHERE seq = 2;
        """ + RehashAll,
    };

    [Theory]
    [MemberData(nameof(Rewrites))]
    public async Task A_rewrite_by_the_owner_with_every_hash_recomputed_fails_verify_on_the_kept_anchor_without_being_given_one(string rewrite)
    {
        await SomeEventsAsync();
        Assert.True((await AnchorAsync()).Written);

        await AsTamperingOwnerAsync(rewrite);
        var result = await VerifyAsync();

        Assert.Null(result.FirstBad);
        Assert.False(result.Ok);
        Assert.NotNull(result.Kept!.Failure);
    }

    [Fact]
    public async Task A_rewritten_trail_is_never_anchored_so_verify_keeps_failing_on_the_last_good_anchor()
    {
        var ids = await SomeEventsAsync();
        var good = (await AnchorAsync()).Latest!;
        await AsTamperingOwnerAsync(RewriteWithoutEvent2);

        // The trail goes on after the rewrite; the next anchor would cover the forged head.
        await _app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(Actors.Editor(), new(ids[0], WorkflowAction.Reopen, "second look"), CancellationToken.None));
        await _app.SealAsync();
        var next = await AnchorAsync();

        Assert.False(next.Written);
        Assert.Contains("not anchoring", next.Refused);
        Assert.Equal(good, next.Latest);
        Assert.Equal(good, AuditAnchors.Latest(next.File));
        Assert.False((await VerifyAsync()).Ok);
    }

    [Fact]
    public async Task The_anchor_follows_the_head_and_a_tail_deleted_after_it_fails_verify_without_an_anchor_argument()
    {
        var ids = await SomeEventsAsync();
        var first = (await AnchorAsync()).Latest!;
        await _app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(Actors.Editor(), new(ids[1], WorkflowAction.Reopen, "second look"), CancellationToken.None));
        await _app.SealAsync();
        var second = await AnchorAsync();
        var intact = await VerifyAsync();

        Assert.True(second.Written);
        Assert.True(second.Latest!.Seq > first.Seq);
        Assert.Equal(_app.Read(db => db.AuditEvents.Max(e => e.Seq)), second.Latest.Seq);
        Assert.True(intact.Ok);
        Assert.Equal(second.Latest, intact.Kept!.Anchor);
        Assert.Null(intact.Kept.Failure);

        await AsTamperingOwnerAsync($"DELETE FROM audit_events WHERE seq = {second.Latest.Seq}");
        var shortened = await VerifyAsync();

        Assert.Null(shortened.FirstBad);
        Assert.False(shortened.Ok);
        Assert.Contains("events were removed", shortened.Kept!.Failure);
    }

    [Fact]
    public async Task An_import_running_while_editors_save_leaves_a_chain_that_verifies()
    {
        var edited = await _app.ImportAsync([.. Enumerable.Range(0, 8).Select(_ => new TestItem { RelatedCount = 0 }.ToYaml())]);
        var corpus = Enumerable.Range(0, 3000).Select(i => ImportSources.FromBytes($"{i:D5}_{Guid.NewGuid():N}.txt",
            System.Text.Encoding.UTF8.GetBytes(new TestItem { Topics = [$"Topic {i % 40}"], RelatedCount = 1 }.ToYaml()))).ToList();

        var import = _app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, corpus, null, CancellationToken.None));
        var editors = edited.Select((id, n) => Task.Run(async () =>
        {
            var saves = 0;
            for (var round = 0; round < 12; round++)
            {
                var item = _app.Read(db => db.Items.AsNoTracking().Single(i => i.Id == id));
                var outcome = await _app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor($"editor{n}@example.com"),
                    new SaveItemEdits.Command(id, item.Version, round, null, [], [], $"round {round}"), CancellationToken.None));
                Assert.True(outcome.Succeeded, outcome.Message);
                saves++;
            }
            return saves;
        })).ToList();
        var report = await import;
        var saves = await Task.WhenAll(editors);

        Assert.Equal(3000, report.Value!.Imported);
        Assert.Equal(8 * 12, saves.Sum());
        await _app.SealAsync();
        var result = await VerifyAsync();
        Assert.True(result.Ok, result.FirstBad?.Reason);
        Assert.Equal(_app.Read(db => db.AuditEvents.Count()), result.Checked);
        Assert.Equal(result.Checked, _app.Read(db => db.AuditEvents.Max(e => e.Seq)));
    }

    [Fact]
    public async Task Each_event_carries_the_actors_id_name_ip_and_request_id_in_its_columns_and_its_hashed_payload()
    {
        var id = (await _app.ImportAsync(new TestItem().ToYaml()))[0];
        var actor = Actors.Editor("traced@example.com") with { Ip = "198.51.100.7", RequestId = "00-trace-01" };

        await _app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(actor, new(id, WorkflowAction.Reject, "off topic"), CancellationToken.None));
        await _app.SealAsync();

        var e = _app.Read(db => db.AuditEvents.Single(a => a.Action == AuditActions.ItemStateChanged && a.EntityId == id.ToString()));
        Assert.Equal(("id-traced@example.com", "traced@example.com", "198.51.100.7", "00-trace-01"), (e.ActorId, e.Actor, e.Ip, e.RequestId));
        var payload = AuditRecord.Parse(e.Payload)!;
        Assert.Equal((e.ActorId, e.Actor, e.Ip, e.RequestId, e.At), (payload.ActorId, payload.Actor, payload.Ip, payload.RequestId, payload.At));
        Assert.Equal(AuditChain.Hash(e.PrevHash!, e.Payload), e.Hash);
    }

    [Fact]
    public async Task Events_written_before_the_chain_existed_are_chained_by_the_migration()
    {
        var cs = await TestPostgres.CreateDatabaseAsync(migrated: false);
        try
        {
            await using (var db = TestPostgres.Context(cs))
            {
                var migrator = db.GetService<IMigrator>();
                await migrator.MigrateAsync("20261125205932_Initial");
                await db.Database.ExecuteSqlRawAsync("""
                    INSERT INTO audit_events (at, actor, action, entity_type, entity_id, data) VALUES
                      (now(), 'import', 'item.imported', 'item', '1', '{{"file": "a.txt"}}'),
                      (now(), 'admin@cms.local', 'user.created', 'user', 'u1', NULL)
                    """);
                await migrator.MigrateAsync();
            }
            await using var verified = TestPostgres.Context(cs);
            var services = new ServiceCollection().AddSingleton(verified).AddSingleton(new AuditOptions { AnchorFolder = _app.AnchorFolder })
                .AddScoped<AuditVerifier>().BuildServiceProvider();
            var result = await services.GetRequiredService<AuditVerifier>().VerifyAsync(null, CancellationToken.None);

            Assert.True(result.Ok, result.FirstBad?.Reason);
            Assert.Equal(2, result.Checked);
            Assert.Equal("{\"file\": \"a.txt\"}", verified.AuditEvents.Single(e => e.Seq == 1).Data);
            Assert.Equal(0, verified.AuditEvents.Count(e => e.Seq == null));
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(cs);
        }
    }
}
