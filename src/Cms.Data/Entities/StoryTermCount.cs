namespace Cms.Data.Entities;

// In how many items a story term (Cms.Core.Stories.StoryText.TermId) occurs, for its IDF weight.
// Term 0 counts the items themselves. Counted by the importer, one upsert per batch; never decreased.
public sealed class StoryTermCount
{
    public const int Documents = 0;

    public int Term { get; set; }
    public long Items { get; set; }
}
