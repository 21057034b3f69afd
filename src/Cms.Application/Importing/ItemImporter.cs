using Cms.Application.Stories;
using Cms.Core.Auditing;
using Cms.Core.Security;
using Cms.Data;

namespace Cms.Application.Importing;

// Import a stream of files: the page's upload, the command line, first-run samples and the
// benchmark all come here. Reading and parsing batch k+1 overlaps with writing batch k; a batch
// is bounded in files and bytes (ImportOptions), so memory does not grow with the input.
public sealed class ItemImporter(CmsDbContext db, ImportParser parser, ImportWriter writer, ImportOptions options, StoryGrouping stories)
{
    public Task<Outcome<ImportReport>> ImportAsync(Actor actor, IEnumerable<string> paths, IProgress<ImportReport>? progress, CancellationToken ct) =>
        ImportAsync(actor, ImportSources.FromPaths(paths), progress, ct);

    public async Task<Outcome<ImportReport>> ImportAsync(Actor actor, IEnumerable<ImportFile> files, IProgress<ImportReport>? progress, CancellationToken ct)
    {
        if (await Guard.RequireAsync(db, actor, Permissions.ImportItems, "Importing", new Attempt(AuditActions.ItemImported), ct) is { } refused)
        {
            return refused;
        }
        var report = NewReport();
        Task? writing = null;
        using var source = files.GetEnumerator();
        while (true)
        {
            var parsed = await parser.NextBatchAsync(source, ct);
            if (parsed.Length == 0)
            {
                break;
            }
            stories.Prepare(parsed.Where(p => p.Item is not null).Select(p => p.Item!));
            if (writing is not null)
            {
                await writing;
                progress?.Report(report);
            }
            report.Refuse(parsed.Where(p => p.Problem is not null).Select(p => p.Problem!));
            writing = writer.WriteAsync(parsed.Where(p => p.Item is not null).Select(p => p.Item!).ToList(), actor, report, ct);
        }
        if (writing is not null)
        {
            await writing;
        }
        progress?.Report(report);
        return Outcome<ImportReport>.Ok(report, report.Summary);
    }

    public ImportReport NewReport() => new(options.MaxReportedProblems);
}
