namespace Cms.Data.Entities;

// What consuming sites see of an item: its current delivered version, written in the same
// transaction as the workflow move (publish, correct, withdraw). Every target reads this row, so the
// folder, the API, the feeds and the webhooks all carry the same version, rendered when the move was
// made: an edit made to a Published item afterwards reaches them only through a correction.
public sealed class PublishedItem
{
    public long ItemId { get; set; }

    // 1 at the first publication, +1 at every correction, withdrawal and publication after that.
    public int Version { get; set; }
    public bool Withdrawn { get; set; }

    // The read API's cursor: taken from the delivery_seq sequence under a lock held to commit, so it
    // grows in commit order and a reader following it never skips a row committed late.
    public long Seq { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
    public DateTimeOffset FirstPublishedAt { get; set; }

    // For the per-category and per-topic feeds (kept on a withdrawal, so those feeds show it too).
    public string? Category { get; set; }
    public string[] Topics { get; set; } = [];

    // TopicNames.Normalize of each of Topics, for ?topic= in any letter case (GIN-indexed): written
    // with them, so a filter is one containment test of stored keys. Topics keep the names as
    // delivered (a later rename does not rewrite them); the keys find them under any spelling.
    public string[] TopicKeys { get; set; } = [];

    // The item format's fields as JSON and the file as the folder gets it; null once withdrawn.
    public string? Document { get; set; }
    public string? Output { get; set; }
    public string? OutputHash { get; set; }
}
