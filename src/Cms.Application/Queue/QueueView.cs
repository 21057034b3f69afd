using Cms.Core.Items;

namespace Cms.Application.Queue;

// Everything that defines a queue view; bound from the query string, so a view is a URL.
public sealed class QueueView
{
    public List<WorkflowState> State { get; set; } = [];
    public string? Category { get; set; }
    public string? Provider { get; set; }
    public List<string> Topic { get; set; } = [];
    public string TopicMode { get; set; } = "any";
    public int? QualityMin { get; set; }
    public int? QualityMax { get; set; }
    public DateOnly? From { get; set; }
    public DateOnly? To { get; set; }
    public bool Undecided { get; set; }
    public bool SourceChanged { get; set; }
    public string? Q { get; set; }
    public string Sort { get; set; } = "date";
    // Keyset cursors ("value_id"): the page after one row, or the page before one.
    public string? After { get; set; }
    public string? Before { get; set; }
}
