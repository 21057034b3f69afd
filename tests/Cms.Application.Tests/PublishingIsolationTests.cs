using Npgsql;
using System.Text;
using Cms.Application.Importing;
using Cms.Application.Items;
using Cms.Application.Publishing;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

// One item's trouble (a crafted file name, a name too long for the disk, a row the database
// refuses) never fails the others' publication, nor the publish action itself.
public sealed class PublishingIsolationTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private Task<Outcome> MoveAsync(Actor actor, long id, WorkflowAction action) =>
        app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(actor, new ItemTransitions.Request(id, action, null), CancellationToken.None));

    private Task<int> DrainAsync() => app.RunAsync(s => s.GetRequiredService<PublishWorker>().RunOnceAsync("test-worker", CancellationToken.None));

    // Imports one file under exactly this name and marks it ready (an editor), as a publisher may publish it.
    private async Task<long> ReadyAsync(string fileName)
    {
        var item = new TestItem { RelatedCount = 0 };
        var file = ImportSources.FromBytes(fileName, Encoding.UTF8.GetBytes(item.ToYaml()));
        var outcome = await app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, [file], null, CancellationToken.None));
        Assert.True(outcome.Succeeded, outcome.Result.Message);
        Assert.Empty(outcome.Value!.Problems);
        var id = app.Read(db => db.Items.Single(i => i.FileName == fileName && i.Title == item.Title).Id);
        Assert.True((await MoveAsync(Actors.Editor(), id, WorkflowAction.MarkReady)).Succeeded);
        return id;
    }

    private string? OutputFile(long id) => app.Read(db => db.Items.Single(i => i.Id == id).OutputFile);

    [Fact]
    public async Task A_file_name_crafted_to_take_the_id_prefixed_fallback_still_publishes_under_a_free_name()
    {
        var name = $"story-{Unique.Tag()}.txt";
        var first = await ReadyAsync(name);
        var victim = await ReadyAsync(name);
        // An upload named after the fallback the victim would get: `<victim id>_<name>`.
        var crafted = await ReadyAsync($"{victim}_{name}");
        Assert.True((await MoveAsync(Actors.Publisher(), first, WorkflowAction.Publish)).Succeeded);
        Assert.True((await MoveAsync(Actors.Publisher(), crafted, WorkflowAction.Publish)).Succeeded);

        var publish = await MoveAsync(Actors.Publisher(), victim, WorkflowAction.Publish);
        await DrainAsync();

        Assert.True(publish.Succeeded, publish.Message);
        var output = OutputFile(victim)!;
        Assert.Equal(name, OutputFile(first));
        Assert.Equal($"{victim}_{name}", OutputFile(crafted));
        Assert.StartsWith($"{victim}_", output);
        Assert.EndsWith("_" + name, output);
        Assert.Equal(3, new[] { first, victim, crafted }.Select(OutputFile).Distinct().Count());
        Assert.All(new[] { first, victim, crafted }, id => Assert.True(File.Exists(Path.Combine(app.PublishFolder, OutputFile(id)!))));
    }

    [Fact]
    public async Task A_name_of_600_bytes_publishes_under_a_name_the_file_system_takes()
    {
        // 200 CJK characters: 600 bytes, where Linux allows 255 per name.
        var id = await ReadyAsync(new string('東', 199) + Unique.Tag()[..1] + ".txt");

        Assert.True((await MoveAsync(Actors.Publisher(), id, WorkflowAction.Publish)).Succeeded);
        await DrainAsync();

        var output = OutputFile(id)!;
        Assert.True(Encoding.UTF8.GetByteCount(output) <= OutputFiles.MaxNameBytes, $"{Encoding.UTF8.GetByteCount(output)} bytes");
        Assert.EndsWith(".txt", output);
        Assert.True(File.Exists(Path.Combine(app.PublishFolder, output)));
        Assert.Equal(PublishJobStatus.Done, app.Read(db => db.PublishJobs.Single(j => j.ItemId == id).Status));
    }

    [Fact]
    public async Task A_schedule_the_database_refuses_backs_off_while_the_other_schedules_and_the_outbox_go_out()
    {
        var refused = await ReadyAsync($"refused-{Unique.Tag()}.txt");
        var fine = await ReadyAsync($"fine-{Unique.Tag()}.txt");
        var now = await ReadyAsync($"now-{Unique.Tag()}.txt");
        foreach (var id in new[] { refused, fine })
        {
            Assert.True((await app.RunAsync(s => s.GetRequiredService<PublishSchedule>().ScheduleAsync(Actors.Publisher(), id, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None))).Succeeded);
        }
        // Due now (moved, not waited for), and one publication waiting in the outbox.
        app.Read(db => db.Items.Where(i => i.Id == refused || i.Id == fine).ExecuteUpdate(u => u.SetProperty(i => i.PublishAt, DateTimeOffset.UtcNow.AddMinutes(-1))));
        Assert.True((await MoveAsync(Actors.Publisher(), now, WorkflowAction.Publish)).Succeeded);
        // The database refuses to publish one of them, as a constraint would (set up by the schema's
        // owner: the app's role may create nothing).
        var trigger = $"""
            CREATE FUNCTION refuse_{refused}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.id = {refused} AND NEW.state = 'Published' THEN
                RAISE EXCEPTION 'item {refused} may not be published' USING ERRCODE = 'check_violation';
              END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_{refused} BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION refuse_{refused}();
            """;
        await AsOwnerAsync(trigger);
        try
        {
            var wake = await app.Services.GetRequiredService<PublishingLoop>().RoundAsync(CancellationToken.None);

            var items = app.Read(db => db.Items.AsNoTracking().Where(i => i.Id == refused || i.Id == fine || i.Id == now).ToDictionary(i => i.Id));
            Assert.Equal(WorkflowState.Published, items[fine].State);
            Assert.Equal(WorkflowState.Published, items[now].State);
            Assert.True(File.Exists(Path.Combine(app.PublishFolder, items[fine].OutputFile!)));
            Assert.True(File.Exists(Path.Combine(app.PublishFolder, items[now].OutputFile!)));
            Assert.Equal(WorkflowState.Ready, items[refused].State);
            Assert.NotNull(items[refused].PublishAt);
            Assert.Equal(1, items[refused].PublishAttempts);
            Assert.True(items[refused].PublishRetryAt > DateTimeOffset.UtcNow, "the refused schedule waits before its retry");
            // The round ended (no busy retry) and wakes no later than the retry.
            Assert.True(wake <= items[refused].PublishRetryAt!.Value.AddMilliseconds(1));
            var failure = app.Read(db => db.AuditEvents.Single(a => a.Action == AuditActions.ItemPublishScheduleFailed && a.EntityId == refused.ToString()));
            Assert.Contains("may not be published", failure.Payload);
        }
        finally
        {
            var drop = $"DROP TRIGGER refuse_{refused} ON items; DROP FUNCTION refuse_{refused}();";
            await AsOwnerAsync(drop);
        }
    }

    // A source stored before the reader refused merge keys (or any later rule): that item is not
    // published nor exported, with its reason; the others are.
    [Fact]
    public async Task A_stored_source_the_reader_now_refuses_fails_only_its_own_job_and_export()
    {
        var legacy = await ReadyAsync($"legacy-{Unique.Tag()}.txt");
        var fine = await ReadyAsync($"fine-{Unique.Tag()}.txt");
        app.Read(db => db.Items.Where(i => i.Id == legacy).ExecuteUpdate(u => u.SetProperty(i => i.SourceYaml, i => i.SourceYaml + "<<: {excerpt: \"<script>x</script>\"}\n")));
        Assert.True((await app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleManyAsync(Actors.Publisher(), [legacy, fine], WorkflowAction.Publish, null, CancellationToken.None))).Succeeded);

        await DrainAsync();
        var folder = Path.Combine(app.PublishFolder, "export-" + Unique.Tag());
        var export = await app.RunAsync(s => s.GetRequiredService<Exporting.ItemExporter>().ExportAsync(folder, WorkflowState.Published, CancellationToken.None));

        var jobs = app.Read(db => db.PublishJobs.Where(j => j.ItemId == legacy || j.ItemId == fine).ToDictionary(j => j.ItemId));
        Assert.Equal(PublishJobStatus.Failed, jobs[legacy].Status);
        Assert.Contains("merge keys (<<) are not allowed", jobs[legacy].LastError);
        Assert.Equal(PublishJobStatus.Done, jobs[fine].Status);
        Assert.False(File.Exists(Path.Combine(app.PublishFolder, OutputFile(legacy)!)));
        Assert.True(File.Exists(Path.Combine(app.PublishFolder, OutputFile(fine)!)));
        var refused = Assert.Single(export.Refused, r => r.StartsWith($"item {legacy}:", StringComparison.Ordinal));
        Assert.Contains("merge keys (<<) are not allowed", refused);
        Assert.True(File.Exists(Path.Combine(folder, OutputFile(fine)!)));
    }

    // A correction of a live item whose stored source the reader now refuses: the worker used to
    // write the previous version and mark the job done, as if the correction had gone out.
    [Fact]
    public async Task A_correction_that_cannot_be_rendered_fails_its_job_with_the_reason_and_leaves_what_sites_see_unchanged()
    {
        var name = $"corrected-{Unique.Tag()}.txt";
        var id = await ReadyAsync(name);
        Assert.True((await MoveAsync(Actors.Publisher(), id, WorkflowAction.Publish)).Succeeded);
        await DrainAsync();
        var file = Path.Combine(app.PublishFolder, OutputFile(id)!);
        var published = await File.ReadAllBytesAsync(file);
        var source = app.Read(db => db.Items.Single(i => i.Id == id).SourceYaml);
        app.Read(db => db.Items.Where(i => i.Id == id).ExecuteUpdate(u => u.SetProperty(i => i.SourceYaml, source + "<<: {excerpt: \"<script>x</script>\"}\n")));
        var messages = app.Read(db => db.WebhookMessages.Count(m => m.ItemId == id));
        // The file written later than the first one would show a rewrite.
        File.SetLastWriteTimeUtc(file, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var correct = await app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(Actors.Publisher(), new ItemTransitions.Request(id, WorkflowAction.Correct, "typo"), CancellationToken.None));
        await DrainAsync();

        Assert.True(correct.Succeeded, correct.Message);
        Assert.Equal(WorkflowState.Published, app.Read(db => db.Items.Single(i => i.Id == id).State));
        Assert.Equal(published, await File.ReadAllBytesAsync(file));
        Assert.Equal(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(file));
        Assert.Equal(1, app.Read(db => db.PublishedItems.Single(p => p.ItemId == id).Version));
        Assert.Equal(messages, app.Read(db => db.WebhookMessages.Count(m => m.ItemId == id)));
        var job = app.Read(db => db.PublishJobs.Where(j => j.ItemId == id).OrderByDescending(j => j.Id).First());
        Assert.Equal(PublishJobStatus.Failed, job.Status);
        Assert.Contains(name, job.LastError);
        Assert.Contains("<<: merge keys (<<) are not allowed", job.LastError);
        var failure = app.Read(db => db.AuditEvents.Single(a => a.Action == AuditActions.PublishOutputFailed && a.EntityId == id.ToString()));
        Assert.Equal(Actors.Publisher().Name, failure.Actor);
        var data = System.Text.Json.JsonDocument.Parse(failure.Data!).RootElement;
        Assert.Equal("<<", data.GetProperty("field").GetString());
        Assert.Equal("merge keys (<<) are not allowed", data.GetProperty("reason").GetString());
        Assert.Equal(name, data.GetProperty("source").GetString());
        Assert.Equal(OutputFile(id), data.GetProperty("file").GetString());
        // The item page shows it.
        var page = await app.RunAsync(s => s.GetRequiredService<ItemPage>().LoadAsync(Actors.Editor(), id, new Cms.Application.Queue.QueueView(), CancellationToken.None));
        Assert.Equal(PublishJobStatus.Failed, page!.Workflow.Output!.Status);
        Assert.Contains("merge keys (<<) are not allowed", page.Workflow.Output.LastError);

        // Retried once the source is fixed: correcting again delivers version 2.
        app.Read(db => db.Items.Where(i => i.Id == id).ExecuteUpdate(u => u.SetProperty(i => i.SourceYaml, source)));
        var retry = await app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleAsync(Actors.Publisher(), new ItemTransitions.Request(id, WorkflowAction.Correct, "typo"), CancellationToken.None));
        await DrainAsync();
        Assert.True(retry.Succeeded, retry.Message);
        Assert.Equal(2, app.Read(db => db.PublishedItems.Single(p => p.ItemId == id).Version));
        Assert.Equal(PublishJobStatus.Done, app.Read(db => db.PublishJobs.Where(j => j.ItemId == id).OrderByDescending(j => j.Id).First().Status));
        Assert.NotEqual(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(file));
    }

    // The scheduler claims due items and the batch then held them again: one lock statement now,
    // FOR NO KEY UPDATE (rows referencing the item may still be inserted meanwhile).
    [Fact]
    public async Task The_scheduler_locks_its_due_items_once()
    {
        var id = await ReadyAsync($"due-{Unique.Tag()}.txt");
        Assert.True((await app.RunAsync(s => s.GetRequiredService<PublishSchedule>().ScheduleAsync(Actors.Publisher(), id, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None))).Succeeded);
        app.Read(db => db.Items.Where(i => i.Id == id).ExecuteUpdate(u => u.SetProperty(i => i.PublishAt, DateTimeOffset.UtcNow.AddMinutes(-1))));
        var log = new Cms.Testing.CommandLog();
        await using var db = log.Context(app.ConnectionString);
        await using var scope = app.Services.CreateAsyncScope();
        var reader = scope.ServiceProvider.GetRequiredService<Cms.Core.FrontMatter.IFrontMatterReader>();
        var options = scope.ServiceProvider.GetRequiredService<PublishingOptions>();
        var transitions = new ItemTransitions(db, options, new Delivery.DeliveryRecorder(db,
            new Exporting.ItemExporter(db, reader, scope.ServiceProvider.GetRequiredService<Cms.Core.FrontMatter.IFrontMatterWriter>()), reader),
            scope.ServiceProvider.GetRequiredService<TimeProvider>());

        var published = await new PublishSchedule(db, transitions, options, TimeProvider.System).PublishDueAsync(PublishWorker.Actor, CancellationToken.None);

        Assert.True(published >= 1);
        Assert.Equal(WorkflowState.Published, app.Read(d => d.Items.Single(i => i.Id == id).State));
        var locks = log.Texts.Where(t => t.Contains("FROM items", StringComparison.Ordinal) && t.Contains(" FOR ", StringComparison.Ordinal)).ToList();
        Assert.Contains("FOR NO KEY UPDATE SKIP LOCKED", Assert.Single(locks));
    }

    private async Task AsOwnerAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(app.OwnerConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
