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

    // Uploads processed at once by one app instance; further ones wait in a queue of this length,
    // then get 429. Memory is per process, so this is per instance by design.
    public int ConcurrentUploads { get; init; } = 1;

    public int QueuedUploads { get; init; } = 3;

    public void EnsureValid()
    {
        if (BatchFiles < 1 || BatchBytes < 1 || MaxReportedProblems < 1 || ConcurrentUploads < 1 || QueuedUploads < 0)
        {
            throw new ArgumentOutOfRangeException("Import", "Import:BatchFiles, BatchBytes, MaxReportedProblems and ConcurrentUploads must be at least 1, QueuedUploads at least 0");
        }
    }
}
