using System.Globalization;

namespace Cms.Application.Importing;

// Where the write stage's time goes, summed over batches (`./cms bench import` prints it): wall
// time per phase of ImportWriter's batch, and how long the writer waited for the parse stage.
public sealed class ImportProfile : PhaseTimes<ImportProfile.Phase>
{
    public enum Phase { WaitForParse, LockAndDedupe, Rules, TopicsAndIds, StoryGrouping, CopyRows, CopyAudit, Categories, Commit }

    private long _batches;
    private long _copied;
    private long _suppliedVectors;

    public void Batch() => Interlocked.Increment(ref _batches);

    // New items COPYed, and how many of them came with their search vector computed beside the
    // write (SearchVectors); the others' vectors were computed by the COPY's backend.
    public void Copied(int items, int withVectors)
    {
        Interlocked.Add(ref _copied, items);
        Interlocked.Add(ref _suppliedVectors, withVectors);
    }

    public long SuppliedVectors => Interlocked.Read(ref _suppliedVectors);

    public IEnumerable<string> Lines() =>
        PhaseLines().Prepend(string.Create(CultureInfo.InvariantCulture,
            $"write stage: {Interlocked.Read(ref _batches)} batches, {Total.TotalSeconds:F1} s in all; {SuppliedVectors} of {Interlocked.Read(ref _copied)} new items' search vectors computed beside the write"));
}
