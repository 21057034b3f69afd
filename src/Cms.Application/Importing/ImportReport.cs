namespace Cms.Application.Importing;

public sealed record ImportProblem(string Path, string Reason)
{
    public override string ToString() => $"{Path}: {Reason}";
}

public sealed class ImportReport(int maxProblems = int.MaxValue)
{
    private readonly List<ImportProblem> _problems = [];

    public int Imported { get; set; }
    public int Updated { get; set; }
    public int Unchanged { get; set; }

    // Changed sources kept aside because an editor had worked on the item or it was past New
    // (counted in Updated).
    public int Revisions { get; set; }

    public int Rejected { get; private set; }

    // The first refused files by name; the rest are only counted (ProblemsOmitted), so a report
    // stays small whatever an upload holds.
    public IReadOnlyList<ImportProblem> Problems => _problems;

    public int ProblemsOmitted => Rejected - _problems.Count;

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
}
