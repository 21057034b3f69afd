namespace Cms.Application.Importing;

public sealed record ImportProblem(string Path, string Reason)
{
    public override string ToString() => $"{Path}: {Reason}";
}

// An item the import created or changed, for the report's links.
public sealed record ImportedItem(long Id, string Title);

public sealed class ImportReport(int maxProblems = int.MaxValue)
{
    // How many items of each kind the report names; the counts stay exact, the lists stop here so a
    // million-file import keeps a bounded report.
    public const int MaxListed = 200;

    private readonly List<ImportProblem> _problems = [];

    public int Imported { get; set; }
    public int Updated { get; set; }
    public int Unchanged { get; set; }

    // Changed sources kept aside because an editor had worked on the item or it was past New.
    // Counted in Updated for the command line's summary line (a documented format); shown apart
    // on the upload page.
    public int Revisions { get; set; }

    public int Rejected { get; private set; }

    // Items whose fields followed the changed source.
    public int UpdatedFromSource => Updated - Revisions;

    // The first MaxListed of each kind, in import order.
    public List<ImportedItem> NewItems { get; } = [];
    public List<ImportedItem> UpdatedItems { get; } = [];
    public List<ImportedItem> RevisionItems { get; } = [];

    // The first refused files by name; the rest are only counted (ProblemsOmitted), so a report
    // stays small whatever an upload holds.
    public IReadOnlyList<ImportProblem> Problems => _problems;

    public int ProblemsOmitted => Rejected - _problems.Count;

    // Topics that refused files name but that are not topics yet (the uploader may not create
    // them), each with how many refused files name it, most first: what to ask a publisher for.
    // At most MaxMissingTopics names; the count of further names is kept.
    public const int MaxMissingTopics = 100;

    private readonly Dictionary<string, (string Name, int Files)> _missingTopics = new(StringComparer.Ordinal);

    public IReadOnlyList<(string Name, int Files)> MissingTopics =>
        _missingTopics.Values.OrderByDescending(t => t.Files).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();

    public int MissingTopicsOmitted { get; private set; }

    public void CountMissingTopic(string name)
    {
        var key = Cms.Core.Items.TopicNames.Normalize(name);
        if (_missingTopics.TryGetValue(key, out var seen))
        {
            _missingTopics[key] = (seen.Name, seen.Files + 1);
        }
        else if (_missingTopics.Count < MaxMissingTopics)
        {
            _missingTopics[key] = (name, 1);
        }
        else
        {
            MissingTopicsOmitted++;
        }
    }

    public void Refuse(ImportProblem problem)
    {
        Rejected++;
        if (_problems.Count < maxProblems)
        {
            _problems.Add(problem);
        }
    }

    public void Refuse(IEnumerable<ImportProblem> problems)
    {
        foreach (var problem in problems)
        {
            Refuse(problem);
        }
    }

    public int Seen => Imported + Updated + Unchanged + Rejected;

    // The exact last line of `./cms import`.
    public string Summary => $"imported {Imported}, updated {Updated}, unchanged {Unchanged}, rejected {Rejected}";

    // Under the summary line on the page: "updated" split into what changed the item and what waits
    // for an editor, so "updated 1" never stands beside "Updated from their source 0" unexplained.
    public string? UpdatedExplained => Revisions == 0 ? null
        : $"“updated {Updated}”: {UpdatedFromSource} from their source, {Revisions} kept as {(Revisions == 1 ? "a pending revision" : "pending revisions")}.";

    public static void Name(List<ImportedItem> list, long id, string title)
    {
        if (list.Count < MaxListed)
        {
            list.Add(new ImportedItem(id, title));
        }
    }
}
