using Cms.Core.Items;
using Cms.Core.Text;

namespace Cms.Application.Queue;

// Everything that defines a queue view; bound from the query string, so a view is a URL, and so
// every value is untrusted: Problems() says what is wrong before any query runs.
public sealed class QueueView
{
    public const int MaxSearchLength = 200;
    public const int MaxTopics = 10;
    public const int MaxNameLength = 200;
    public const int MaxAssigneeLength = 450;

    public List<WorkflowState> State { get; set; } = [];
    // Cleaned as categories are stored (UnicodeText.CleanName), so a saved view, a bookmark or a
    // typed URL holding a spelling from before the fold ("World news ", "Cafe\u0301") still
    // finds its items and the page's select shows it; the query stays one parameter.
    public string? Category { get => _category; set => _category = value is null ? null : UnicodeText.CleanName(value); }
    private string? _category;
    public string? Provider { get; set; }
    public List<string> Topic { get; set; } = [];
    public string TopicMode { get; set; } = "any";
    public int? QualityMin { get; set; }
    public int? QualityMax { get; set; }
    public DateOnly? From { get; set; }
    public DateOnly? To { get; set; }
    // When the item arrived (its import), UTC days: "today's unreviewed items".
    public DateOnly? ReceivedFrom { get; set; }
    public DateOnly? ReceivedTo { get; set; }
    public bool Undecided { get; set; }
    public bool SourceChanged { get; set; }
    // Stories: one row per story (its newest item in the view, with "+N more from ..."), and only
    // items whose story has another item in the queue.
    public bool Stories { get; set; }
    public bool MultiStory { get; set; }

    // Items with a related link the link checker found broken (not rejected ones).
    public bool BrokenLinks { get; set; }

    // Items assigned to this account id ("assigned to me" carries the person's own id).
    public string? Assignee { get; set; }
    public string? Q { get; set; }
    public string Sort { get; set; } = "date";
    // Keyset cursors ("value_id"): the page after one row, or the page before one.
    public string? After { get; set; }
    public string? Before { get; set; }

    // date: the outlet's publication date; received: when the item arrived here.
    public static readonly IReadOnlyList<string> Sorts = ["date", "received", "quality", "heat"];

    // Whether every condition of the view is of a kind whose planner estimate was measured within
    // QueueCounts.EstimateError of the truth at 100,000 and 1,000,000 items (docs/benchmarks.md,
    // "Honest counts"): single-column statistics (category, quality, the two date ranges, the
    // source-changed flag). Search, provider, topics and undecided links were not (off by up to
    // 4.5x), so their counts are never shown as "about". A new filter belongs in the list below
    // until it is measured.
    public bool EstimateIsTrusted() =>
        string.IsNullOrWhiteSpace(Q) && string.IsNullOrWhiteSpace(Provider) && !Topic.Any(t => !string.IsNullOrWhiteSpace(t)) && !Undecided;

    // Field names are the query-string names, so a page can put them in ModelState as they are.
    public IEnumerable<FieldError> Problems()
    {
        if (QualityMin is < 0 or > 100 || QualityMax is < 0 or > 100)
        {
            yield return new("View.QualityMin", "Quality bounds go from 0 to 100.");
        }
        if (!Sorts.Contains(Sort))
        {
            yield return new("View.Sort", "Sort by date, received, quality or heat.");
        }
        if (TopicMode is not ("any" or "all"))
        {
            yield return new("View.TopicMode", "Topic match is any or all.");
        }
        if (State.Count > Enum.GetValues<WorkflowState>().Length || State.Any(s => !Enum.IsDefined(s)))
        {
            yield return new("View.State", "Choose states from the list.");
        }
        // The day after To is the query's bound, so the last representable day cannot be one.
        if (To == DateOnly.MaxValue || From == DateOnly.MaxValue)
        {
            yield return new("View.To", "Choose a date before the year 9999 ends.");
        }
        if (ReceivedTo == DateOnly.MaxValue || ReceivedFrom == DateOnly.MaxValue)
        {
            yield return new("View.ReceivedTo", "Choose a date before the year 9999 ends.");
        }
        if (After is not null && QueueQuery.Cursor.Parse(After, Sort) is null)
        {
            yield return new("View.After", "This page link is not valid; start again from the first page.");
        }
        if (Before is not null && QueueQuery.Cursor.Parse(Before, Sort) is null)
        {
            yield return new("View.Before", "This page link is not valid; start again from the first page.");
        }
        if (Topic.Count > MaxTopics)
        {
            yield return new("View.Topic", $"Filter by at most {MaxTopics} topics.");
        }
        foreach (var problem in Text("View.Q", "Search", Q, MaxSearchLength)
            .Concat(Text("View.Provider", "Provider", Provider, MaxNameLength))
            .Concat(Text("View.Category", "Category", Category, MaxNameLength))
            .Concat(Text("View.Assignee", "Assignee", Assignee, MaxAssigneeLength))
            .Concat(Topic.SelectMany(t => Text("View.Topic", "Topic", t, TopicNames.MaxLength))))
        {
            yield return problem;
        }
    }

    private static IEnumerable<FieldError> Text(string field, string label, string? value, int max)
    {
        if (value is null)
        {
            yield break;
        }
        if (value.Length > max)
        {
            yield return new(field, $"{label} may be at most {max} characters.");
        }
        else if (UnicodeText.FindControlCharacter(value, allowNewlines: false) >= 0 || UnicodeText.FindUnpairedSurrogate(value) >= 0)
        {
            yield return new(field, $"{label} contains a control character.");
        }
    }
}
