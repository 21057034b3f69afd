namespace Cms.Data.Entities;

// The managed list of categories editors choose from; the pipeline's categories join it on import.
public sealed class Category
{
    public int Id { get; set; }
    public required string Name { get; set; }

    // CategoryNames.Key of the name, computed by the database (cms_category_key): unique, so the
    // list holds no two names that differ only in letter case, whoever writes the row.
    public string NormalizedName { get; private set; } = "";
    public bool FromImport { get; set; }
}
