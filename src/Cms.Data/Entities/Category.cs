namespace Cms.Data.Entities;

// The managed list of categories editors choose from; the pipeline's categories join it on import.
public sealed class Category
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public bool FromImport { get; set; }
}
