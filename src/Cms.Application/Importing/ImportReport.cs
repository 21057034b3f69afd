namespace Cms.Application.Importing;

public sealed record ImportProblem(string Path, string Reason)
{
    public override string ToString() => $"{Path}: {Reason}";
}

// An item the import created or changed, for the report's links.
public sealed record ImportedItem(long Id, string Title);

public sealed class ImportReport
{
    // How many items of each kind the report names; the counts stay exact, the lists stop here so a
    // million-file import keeps a bounded report.
    public const int MaxListed = 200;

    public int Imported { get; set; }
    public int Updated { get; set; }
    public int Unchanged { get; set; }

    // Changed sources kept aside because an editor had worked on the item. Counted in Updated for
    // the command line's summary line (a documented format); shown apart on the upload page.
    public int Revisions { get; set; }
    public int Rejected => Problems.Count;
    public List<ImportProblem> Problems { get; } = [];

    // Items whose fields followed the changed source.
    public int UpdatedFromSource => Updated - Revisions;

    // The first MaxListed of each kind, in import order.
    public List<ImportedItem> NewItems { get; } = [];
    public List<ImportedItem> UpdatedItems { get; } = [];
    public List<ImportedItem> RevisionItems { get; } = [];

    public int Seen => Imported + Updated + Unchanged + Rejected;

    // The exact last line of `./cms import`.
    public string Summary => $"imported {Imported}, updated {Updated}, unchanged {Unchanged}, rejected {Rejected}";

    public static void Name(List<ImportedItem> list, long id, string title)
    {
        if (list.Count < MaxListed)
        {
            list.Add(new ImportedItem(id, title));
        }
    }
}
