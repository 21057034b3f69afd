namespace Cms.Application.Importing;

public sealed record ImportProblem(string Path, string Reason)
{
    public override string ToString() => $"{Path}: {Reason}";
}

public sealed class ImportReport
{
    public int Imported { get; set; }
    public int Updated { get; set; }
    public int Unchanged { get; set; }

    // Changed sources kept aside because an editor had worked on the item (counted in Updated).
    public int Revisions { get; set; }
    public int Rejected => Problems.Count;
    public List<ImportProblem> Problems { get; } = [];

    public int Seen => Imported + Updated + Unchanged + Rejected;

    // The exact last line of `./cms import`.
    public string Summary => $"imported {Imported}, updated {Updated}, unchanged {Unchanged}, rejected {Rejected}";
}
