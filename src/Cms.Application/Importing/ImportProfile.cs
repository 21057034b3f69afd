using System.Globalization;

namespace Cms.Application.Importing;

// Where the write stage's time goes, summed over batches (`./cms bench import` prints it): wall
// time per phase of ImportWriter's batch, and how long the writer waited for the parse stage.
public sealed class ImportProfile : PhaseTimes<ImportProfile.Phase>
{
    public enum Phase { WaitForParse, LockAndDedupe, Rules, TopicsAndIds, StoryGrouping, CopyRows, CopyAudit, Categories, Commit }

    private long _batches;

    public void Batch() => Interlocked.Increment(ref _batches);

    public IEnumerable<string> Lines() =>
        PhaseLines().Prepend(string.Create(CultureInfo.InvariantCulture, $"write stage: {Interlocked.Read(ref _batches)} batches, {Total.TotalSeconds:F1} s in all"));
}
