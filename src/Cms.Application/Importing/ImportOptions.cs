namespace Cms.Application.Importing;

// How much one import holds at a time (configuration section "Import").
public sealed class ImportOptions
{
    // A batch is one transaction; it closes at whichever comes first. The bytes bound memory:
    // two batches are alive at once (one parsed while the previous one is written), and each
    // file's text and parse cost a few times its size. 4 MiB measured best (docs/benchmarks.md).
    public const int DefaultBatchFiles = 1_000;

    public int BatchFiles { get; init; } = DefaultBatchFiles;

    public long BatchBytes { get; init; } = 4L * 1024 * 1024;

    // Refused files kept by name in the report; beyond that only counted (a zip of a million
    // empty entries must not become a million-line page).
    public int MaxReportedProblems { get; init; } = 1_000;

    public void EnsureValid()
    {
        if (BatchFiles < 1 || BatchBytes < 1 || MaxReportedProblems < 1)
        {
            throw new ArgumentOutOfRangeException("Import", "Import:BatchFiles, BatchBytes and MaxReportedProblems must be at least 1");
        }
    }
}
