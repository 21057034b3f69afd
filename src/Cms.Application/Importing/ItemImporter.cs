using System.Threading.Channels;
using Cms.Application.Stories;
using Cms.Core.Auditing;
using Cms.Core.Security;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cms.Application.Importing;

// Import a stream of files: the page's upload, the command line, first-run samples and the
// benchmark all come here. Two stages joined by a bounded channel:
// - parse stage (ImportParser, no database): reads the next batch's bytes and parses them on every
//   core, and story grouping analyses each item's text (StoryGrouping.Prepare); per-item work
//   that needs no database belongs here. Besides, on a connection of its own (no transaction, it
//   writes nothing), it has PostgreSQL compute the new items' search vectors (SearchVectors), so
//   that the database's second core does that while the writer's backend COPYs;
// - write stage (ImportWriter, one transaction per batch): dedupes against stored items, applies
//   the import rules, COPYs new items and writes their audit events; per-item work that needs the
//   database (or the batch's transaction) belongs there.
//   It is told the next batch when that one is already parsed, so that story grouping's search
//   for it runs during this batch's write, on a connection of its own (StoryGrouping.SearchAhead).
// The parse stage runs ahead of the write stage by at most ParsedAhead batches, so while
// PostgreSQL works on one batch the next ones are parsed, and memory stays bounded whatever the
// input: a batch is bounded in files and bytes (ImportOptions).
public sealed class ItemImporter(CmsDbContext db, ImportParser parser, ImportWriter writer, ImportOptions options, StoryGrouping stories, ImportProfile profile, ILogger<ItemImporter> logger)
{
    // Batches parsed and waiting for the writer, besides the one being parsed and the one being
    // written. One is enough to keep the writer fed (measured, docs/benchmarks.md "Import").
    public const int ParsedAhead = 1;

    public Task<Outcome<ImportReport>> ImportAsync(Actor actor, IEnumerable<string> paths, IProgress<ImportReport>? progress, CancellationToken ct) =>
        ImportAsync(actor, ImportSources.FromPaths(paths), progress, ct);

    public async Task<Outcome<ImportReport>> ImportAsync(Actor actor, IEnumerable<ImportFile> files, IProgress<ImportReport>? progress, CancellationToken ct)
    {
        if (await Guard.RequireAsync(db, actor, Permissions.ImportItems, "Importing", new Attempt(AuditActions.ItemImported), ct) is { } refused)
        {
            return refused;
        }
        var report = NewReport();
        await db.Database.ExecuteSqlRawAsync(StoryKeyUpkeep.FoldLogSql, ct);
        await writer.BeginAsync();
        var parsed = Channel.CreateBounded<ParsedBatch>(new BoundedChannelOptions(ParsedAhead) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var parsing = Task.Run(() => ParseStageAsync(files, parsed.Writer, stop.Token), stop.Token);
        try
        {
            // Batches arrive in the order their files were given, so refusals are reported in that order.
            var waiting = System.Diagnostics.Stopwatch.GetTimestamp();
            await foreach (var (batch, vectors) in parsed.Reader.ReadAllAsync(stop.Token))
            {
                await vectors;
                profile.Lap(ImportProfile.Phase.WaitForParse, waiting);
                report.Refuse(batch.Where(p => p.Problem is not null).Select(p => p.Problem!));
                // The next batch, if already parsed, lets grouping begin its search during this one's write.
                var upcoming = parsed.Reader.TryPeek(out var next) ? next.Files.Where(p => p.Item is not null).Select(p => p.Item!).ToList() : null;
                await writer.WriteAsync(batch.Where(p => p.Item is not null).Select(p => p.Item!).ToList(), actor, report, ct, upcoming);
                progress?.Report(report);
                waiting = System.Diagnostics.Stopwatch.GetTimestamp();
            }
        }
        catch
        {
            // The writer failed (or was cancelled): stop parsing and let the writer's error be the one reported.
            await stop.CancelAsync();
            await parsing.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
        // The parse stage's own failure (a file source that throws) surfaces here.
        await parsing;
        progress?.Report(report);
        return Outcome<ImportReport>.Ok(report, report.Summary);
    }

    // A parsed batch, and its search vectors on the way (SearchVectors sets them on its items).
    private sealed record ParsedBatch(ParsedFile[] Files, Task Vectors);

    // A batch's search vectors are computed on the stage's own connection while the batch waits
    // for the writer and the next one is parsed; the writer awaits them before it writes the batch.
    // So the database's second core computes vectors beside the writer's COPY, and no more batches
    // are held than before (one connection: a batch's vectors start once the previous ones are in).
    private async Task ParseStageAsync(IEnumerable<ImportFile> files, ChannelWriter<ParsedBatch> output, CancellationToken ct)
    {
        await using var vectorConnection = new NpgsqlConnection(db.Database.GetConnectionString());
        var vectors = Task.CompletedTask;
        try
        {
            using var source = files.GetEnumerator();
            while (await parser.NextBatchAsync(source, ct) is { Length: > 0 } batch)
            {
                var items = batch.Where(p => p.Item is not null).Select(p => p.Item!).ToList();
                await vectors;
                if (vectorConnection.State != System.Data.ConnectionState.Open)
                {
                    await vectorConnection.OpenAsync(ct);
                }
                vectors = SearchVectors.ComputeAsync(vectorConnection, items, logger, ct);
                stories.Prepare(items);
                await output.WriteAsync(new ParsedBatch(batch, vectors), ct);
            }
        }
        finally
        {
            output.TryComplete();
            // Never close the connection under a running query (the import failed or was cancelled).
            await vectors.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    public ImportReport NewReport() => new(options.MaxReportedProblems);
}
