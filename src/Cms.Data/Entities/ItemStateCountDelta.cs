namespace Cms.Data.Entities;

// A change to the items per state, appended by the statement-level triggers on items. Appending
// takes no row lock another transaction could hold, where updating the one row per state made every
// state change wait for an import batch's commit (and could deadlock with it). The deltas are
// folded into item_state_counts in the background (StateCountFolding); a total is the folded count
// plus the deltas not folded yet.
public sealed class ItemStateCountDelta
{
    public long Id { get; set; }
    public required string State { get; set; }
    public long Delta { get; set; }
}
