namespace Cms.Core.FrontMatter;

// What is wrong with one input file: where (file, line, column when known), which field, and why.
public sealed record ReadProblem(string Path, int? Line, int? Column, string Field, string Reason)
{
    public override string ToString()
    {
        var where = Line is null ? Path : Column is null ? $"{Path}:{Line}" : $"{Path}:{Line}:{Column}";
        return string.IsNullOrEmpty(Field) ? $"{where}: {Reason}" : $"{where}: {Field}: {Reason}";
    }
}

public sealed class FrontMatterException(ReadProblem problem) : Exception(problem.ToString())
{
    public ReadProblem Problem { get; } = problem;
}
