namespace Cms.Application;

// Folders the app writes outside the database (published files, audit anchors): a relative path is
// taken from the repository root (the folder holding Cms.sln above the content root) or, outside a
// checkout, from the content root.
public static class CheckoutPaths
{
    public static string Resolve(string path, string contentRoot) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(RepositoryRoot(contentRoot) ?? contentRoot, path));

    private static string? RepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cms.sln")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
