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

    private async Task SqlAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(_app.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    // What an owner who wants to rewrite history has to do first.
    private Task AsTamperingOwnerAsync(string sql) => SqlAsync($"""
        GRANT UPDATE, DELETE ON audit_events TO CURRENT_USER;
        ALTER TABLE audit_events DISABLE TRIGGER USER;
        {sql};
        ALTER TABLE audit_events ENABLE TRIGGER USER;
        REVOKE UPDATE, DELETE ON audit_events FROM CURRENT_USER;
        """);

    private async Task<List<long>> SomeEventsAsync()
    {
        var ids = await _app.ImportAsync(new TestItem().ToYaml(), new TestItem().ToYaml(), new TestItem().ToYaml());
        foreach (var id in ids)
        {
            await _app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(Actors.Editor(), new(id, WorkflowAction.Reject, "duplicate"), CancellationToken.None));
        }
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
        var denied = await Assert.ThrowsAsync<PostgresException>(() => SqlAsync(sql));
        // ...and granting it back only meets the trigger.
        var refused = await Assert.ThrowsAsync<PostgresException>(() => SqlAsync($"GRANT UPDATE, DELETE, TRUNCATE ON audit_events TO CURRENT_USER; {sql}"));

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
    public async Task A_row_inserted_with_a_made_up_hash_is_named_by_verify()
    {
        await SomeEventsAsync();
        var head = _app.Read(db => db.AuditEvents.OrderByDescending(e => e.Seq).First());

        // INSERT is allowed, and a row that arrives chained skips the trigger: only verify can tell.
        await SqlAsync($"INSERT INTO audit_events (seq, at, actor, action, payload, prev_hash, hash) VALUES ({head.Seq + 1}, now(), 'x', 'y', '{{}}', '{head.Hash}', repeat('0', 64))");
        var result = await VerifyAsync();

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

        Assert.True(withoutAnchor.Ok, "a shortened chain is still a chain");
        Assert.False(withAnchor.Ok);
        Assert.True(withAnchor.AnchorMissing);

        await AsTamperingOwnerAsync("DELETE FROM audit_events WHERE seq = 2");
        var gap = await VerifyAsync();
        Assert.Equal(3, gap.FirstBad!.Seq);
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
            var services = new ServiceCollection().AddSingleton(verified).AddScoped<AuditVerifier>().BuildServiceProvider();
            var result = await services.GetRequiredService<AuditVerifier>().VerifyAsync(null, CancellationToken.None);

            Assert.True(result.Ok, result.FirstBad?.Reason);
            Assert.Equal(2, result.Checked);
            Assert.Equal("{\"file\": \"a.txt\"}", verified.AuditEvents.Single(e => e.Seq == 1).Data);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(cs);
        }
    }
}
