using System.Data;
using Cms.Application.Auditing;
using Cms.Application.Items;
using Cms.Core.Auditing;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Application.Tests;

// Audit events are written without a lock and sealed into the chain after commit (AuditSealer,
// audit_seal()). Each test holds transactions open on purpose and reads the trail whole: one
// database per test.
public sealed class AuditSealingTests : IAsyncLifetime
{
    private static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(60);

    private readonly ApplicationFixture _app = new();

    public Task InitializeAsync() => _app.InitializeAsync();

    public Task DisposeAsync() => _app.DisposeAsync();

    private Task<AuditVerifier.Result> VerifyAsync() =>
        _app.RunAsync(s => s.GetRequiredService<AuditVerifier>().VerifyAsync(null, CancellationToken.None));

    // One committed event, as a handler writes it.
    private Task EventAsync(string target) => _app.RunAsync(async s =>
    {
        var db = s.GetRequiredService<CmsDbContext>();
        AuditLog.Add(db, Actors.Editor(), AuditActions.ItemEdited, AuditTargets.Item, target);
        return await db.SaveChangesAsync();
    });

    private List<(long Id, long? Seq, string? Target)> Events() =>
        _app.Read(db => db.AuditEvents.OrderBy(e => e.Id).Select(e => new { e.Id, e.Seq, e.EntityId }).ToList())
            .Select(e => (e.Id, e.Seq, e.EntityId)).ToList();

    private async Task<bool> SaveCompletesAsync(Task<Outcome> save) => await Task.WhenAny(save, Task.Delay(SafetyNet)) == save;

    [Fact]
    public async Task An_editors_save_completes_while_another_transaction_holding_audit_events_stays_open()
    {
        var ids = await _app.ImportAsync(new TestItem { RelatedCount = 0 }.ToYaml());
        var item = _app.Read(db => db.Items.AsNoTracking().Single(i => i.Id == ids[0]));
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CmsDbContext>();
        // An import batch (or a bulk move) that has written its events and not committed yet.
        await using var open = await db.Database.BeginTransactionAsync();
        await AuditLog.CopyAsync((NpgsqlConnection)db.Database.GetDbConnection(), Actors.Pipeline, AuditActions.ItemImported, AuditTargets.Item,
            Enumerable.Range(0, 1000).Select(i => ($"batch-{i}", (object?)new { file = $"{i}.txt" })), DateTimeOffset.UtcNow, CancellationToken.None);

        var save = _app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor(),
            new SaveItemEdits.Command(item.Id, item.Version, 55, null, [], [], "while an import runs"), CancellationToken.None));

        Assert.True(await SaveCompletesAsync(save), "the save waited for the other transaction to end: audited writes still serialize");
        Assert.True((await save).Succeeded);
        await open.CommitAsync();
        await _app.SealAsync();
        var result = await VerifyAsync();
        Assert.True(result.Ok, result.FirstBad?.Reason);
        Assert.Equal(Events().Count, result.Checked);
    }

    [Fact]
    public async Task An_event_that_commits_after_a_seal_is_chained_after_everything_sealed_before_though_its_id_is_smaller()
    {
        await EventAsync("before");
        await using var scope = _app.Services.CreateAsyncScope();
        var late = scope.ServiceProvider.GetRequiredService<CmsDbContext>();
        await using var open = await late.Database.BeginTransactionAsync();
        AuditLog.Add(late, Actors.Editor(), AuditActions.ItemEdited, AuditTargets.Item, "late");
        await late.SaveChangesAsync();
        await EventAsync("early");

        var first = await _app.SealAsync();
        await open.CommitAsync();
        var second = await _app.SealAsync();

        Assert.Equal(2, first.Sealed);
        Assert.Equal(1, second.Sealed);
        var events = Events().ToDictionary(e => e.Target!);
        Assert.True(events["late"].Id < events["early"].Id);
        Assert.Equal([1L, 2L, 3L], new[] { events["before"].Seq, events["early"].Seq, events["late"].Seq });
        var result = await VerifyAsync();
        Assert.True(result.Ok, result.FirstBad?.Reason);
        Assert.Equal(3, result.Checked);
    }

    [Fact]
    public async Task A_second_sealer_waits_for_the_first_and_seals_only_what_is_left()
    {
        await EventAsync("a");
        await EventAsync("b");
        await using var first = new NpgsqlConnection(_app.ConnectionString);
        await first.OpenAsync();
        await using var round = await first.BeginTransactionAsync(IsolationLevel.ReadCommitted);
        await using (var seal = new NpgsqlCommand("SELECT sealed FROM audit_seal(1000)", first, round))
        {
            Assert.Equal(2, (int)(await seal.ExecuteScalarAsync())!);
        }
        await EventAsync("c");

        var second = _app.SealAsync();
        await WaitUntilASealerWaitsAsync();
        Assert.False(second.IsCompleted);
        await round.CommitAsync();
        var result = await second;

        Assert.Equal(1, result.Sealed);
        Assert.Equal(3, result.HeadSeq);
        Assert.Equal([1L, 2L, 3L], Events().Select(e => e.Seq));
        Assert.True((await VerifyAsync()).Ok);
    }

    // The second sealer is queued on the sealers' advisory lock (a gate, not a clock).
    private async Task WaitUntilASealerWaitsAsync()
    {
        await using var conn = new NpgsqlConnection(_app.ConnectionString);
        await conn.OpenAsync();
        await using var waiting = new NpgsqlCommand(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", conn);
        var deadline = DateTime.UtcNow + SafetyNet;
        while ((long)(await waiting.ExecuteScalarAsync())! == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the second sealer never queued on the lock");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Sealers_racing_with_writers_chain_every_event_exactly_once()
    {
        var writing = true;
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 60; i++)
            {
                await EventAsync($"w{w}-{i}");
            }
        })).ToList();
        var sealers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (Volatile.Read(ref writing))
            {
                await _app.SealAsync();
            }
        })).ToList();
        await Task.WhenAll(writers);
        Volatile.Write(ref writing, false);
        await Task.WhenAll(sealers);
        await _app.SealAsync();

        var events = Events();
        Assert.Equal(240, events.Count);
        Assert.Equal(Enumerable.Range(1, 240).Select(i => (long?)i), events.Select(e => e.Seq).Order());
        var result = await VerifyAsync();
        Assert.True(result.Ok, result.FirstBad?.Reason);
        Assert.Equal(240, result.Checked);
    }

    // The owner keeps UPDATE on the chain columns for audit_seal() (SECURITY DEFINER); the trigger
    // lets that privilege set them once, on an unsealed event, and never again.
    [Theory]
    [InlineData("UPDATE audit_events SET seq = seq + 100 WHERE seq = 2")]
    [InlineData("UPDATE audit_events SET seq = NULL, prev_hash = NULL, hash = NULL WHERE seq = 3")]
    [InlineData("UPDATE audit_events SET prev_hash = hash WHERE seq = 2")]
    public async Task A_sealed_event_is_never_renumbered_unsealed_or_sealed_again_even_by_the_owner(string sql)
    {
        await EventAsync("a");
        await EventAsync("b");
        await EventAsync("c");
        await _app.SealAsync();
        var before = Events();

        await using var conn = new NpgsqlConnection(_app.OwnerConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
        var again = await _app.SealAsync();

        Assert.Contains("append-only", refused.MessageText);
        Assert.Equal(0, again.Sealed);
        Assert.Equal(before, Events());
        Assert.Equal([1L, 2L, 3L], before.Select(e => e.Seq));
        Assert.True((await VerifyAsync()).Ok);
    }

    [Fact]
    public async Task A_recent_unsealed_event_passes_verify_but_one_left_unsealed_beyond_the_bound_fails_it()
    {
        await EventAsync("sealed");
        await _app.SealAsync();
        await EventAsync("recent");

        var recent = await VerifyAsync();

        Assert.True(recent.Ok);
        Assert.Equal((1L, 1L), (recent.Checked, recent.Unsealed));

        // An event written an hour ago (a long transaction) and never sealed since: no sealer runs.
        await _app.RunAsync(async s =>
        {
            var db = s.GetRequiredService<CmsDbContext>();
            await db.Database.OpenConnectionAsync();
            await AuditLog.CopyAsync((NpgsqlConnection)db.Database.GetDbConnection(), Actors.Pipeline, AuditActions.ItemImported, AuditTargets.Item,
                [("old", null)], DateTimeOffset.UtcNow.AddHours(-1), CancellationToken.None);
            return 0;
        });
        var stale = await VerifyAsync();

        Assert.False(stale.Ok);
        Assert.True(stale.UnsealedTooLong);
        Assert.Equal(2, stale.Unsealed);

        await _app.SealAsync();
        var after = await VerifyAsync();
        Assert.True(after.Ok);
        Assert.Equal((3L, 0L), (after.Checked, after.Unsealed));
    }
}
