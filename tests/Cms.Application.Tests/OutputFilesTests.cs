using Cms.Application.Publishing;

namespace Cms.Application.Tests;

// Someone who can write to the publish folder (another service, a compromised mirror job) plants
// symlinks where the worker writes: the worker must never write through them.
public sealed class OutputFilesTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cms-output-" + Guid.NewGuid().ToString("N")[..8]);

    private string Folder => Path.Combine(_root, "published");

    private string Outside => Path.Combine(_root, "outside.txt");

    public OutputFilesTests()
    {
        Directory.CreateDirectory(Folder);
        File.WriteAllText(Outside, "precious");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_symlink_planted_at_the_old_predictable_temporary_name_is_not_followed()
    {
        File.CreateSymbolicLink(Path.Combine(Folder, ".item.txt.tmp"), Outside);

        await OutputFiles.WriteAsync(Folder, "item.txt", "---\ntitle: published\n---\n", CancellationToken.None);

        Assert.Equal("precious", File.ReadAllText(Outside));
        var written = new FileInfo(Path.Combine(Folder, "item.txt"));
        Assert.Null(written.LinkTarget);
        Assert.Equal("---\ntitle: published\n---\n", File.ReadAllText(written.FullName));
        // Nothing is left behind but the planted link and the output.
        Assert.Equal([".item.txt.tmp", "item.txt"], Directory.GetFileSystemEntries(Folder).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task A_symlink_at_the_output_name_is_replaced_not_written_through_and_removing_removes_the_link()
    {
        var target = Path.Combine(Folder, "item.txt");
        File.CreateSymbolicLink(target, Outside);

        await OutputFiles.WriteAsync(Folder, "item.txt", "new", CancellationToken.None);
        var writtenIsLink = new FileInfo(target).LinkTarget is not null;
        File.Delete(target);
        File.CreateSymbolicLink(target, Outside);
        var removed = OutputFiles.Remove(Folder, "item.txt");

        Assert.False(writtenIsLink);
        Assert.True(removed);
        Assert.False(Path.Exists(target) || new FileInfo(target).LinkTarget is not null);
        Assert.Equal("precious", File.ReadAllText(Outside));
    }

    [Fact]
    public async Task Links_planted_at_likely_temporary_names_never_receive_a_write()
    {
        // Every predictable-looking neighbour is a link to the outside file; the write still lands.
        foreach (var guess in new[] { ".item.txt.tmp", ".item.txt.000000000000.tmp", "item.txt.tmp" })
        {
            File.CreateSymbolicLink(Path.Combine(Folder, guess), Outside);
        }

        var hashes = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            hashes.Add(await OutputFiles.WriteAsync(Folder, "item.txt", "version " + i, CancellationToken.None));
        }

        Assert.Equal("version 19", File.ReadAllText(Path.Combine(Folder, "item.txt")));
        Assert.Equal("precious", File.ReadAllText(Outside));
        Assert.Equal(20, hashes.Distinct().Count());
        Assert.Equal(4, Directory.GetFileSystemEntries(Folder).Length);
    }
}
