using System.IO.Compression;
using System.IO.Enumeration;
using Cms.Core.Items;

namespace Cms.Application.Importing;

public static class ImportSources
{
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".txt", ".md", ".yaml", ".yml" };

    // Files and folders (recursive), lazily. A folder's files are read in the order of their names
    // (ordinal), then its subfolders, each in name order: the same folder imports the same way on
    // any disk (the file system's own order is a hash on ext4), so the report lists refusals in
    // that order, and which item starts a story and which joins it does not depend on the disk.
    // Feeds name files by time or sequence, so this is also the order they were published in.
    // One folder's names are held at a time (~100 bytes a file), never its files' details.
    public static IEnumerable<ImportFile> FromPaths(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                yield return FromDisk(new FileInfo(path));
            }
            else if (Directory.Exists(path))
            {
                foreach (var file in InNameOrder(path))
                {
                    yield return file;
                }
            }
            else
            {
                throw new FileNotFoundException($"{path}: no such file or folder", path);
            }
        }
    }

    private static readonly EnumerationOptions FolderOptions = new() { IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };

    private static IEnumerable<ImportFile> InNameOrder(string folder)
    {
        foreach (var name in Names(folder, directories: false))
        {
            if (Extensions.Contains(Path.GetExtension(name)))
            {
                yield return FromDisk(new FileInfo(Path.Combine(folder, name)));
            }
        }
        foreach (var name in Names(folder, directories: true))
        {
            var subfolder = Path.Combine(folder, name);
            if (new DirectoryInfo(subfolder).LinkTarget is { } target)
            {
                yield return NotFollowed(subfolder, target);
                continue;
            }
            foreach (var file in InNameOrder(subfolder))
            {
                yield return file;
            }
        }
    }

    // A link to a folder inside the tree is not followed: it may lead back into the tree (a/b -> ..,
    // followed until the OS refused the path) or out of it. The folders given are read as given,
    // links or not. The link becomes a refused entry of the report, named by its path, so nothing
    // is skipped silently (ImportParser reports a file it cannot read with the exception's message).
    private static ImportFile NotFollowed(string link, string target) =>
        new(link, 0, _ => throw new IOException($"a link to a folder (-> {target}), not followed: the import reads the folders inside the tree it is given, not links to folders"));

    private static List<string> Names(string folder, bool directories)
    {
        var names = new FileSystemEnumerable<string>(folder, (ref FileSystemEntry e) => e.FileName.ToString(), FolderOptions)
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) => e.IsDirectory == directories,
        }.ToList();
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    // Unbuffered (bufferSize 1): ImportFile.ReadBoundedAsync reads into a buffer of its own at least
    // the file's size, so a FileStream buffer was 16 KiB allocated per file for nothing; and
    // synchronous, since on Linux an asynchronous file read is a synchronous one sent to the thread
    // pool (4 µs a file less CPU, measured: issue 23 Build 6, fifth pass).
    private static ImportFile FromDisk(FileInfo file) =>
        new(file.FullName, file.Length, _ => Task.FromResult<Stream>(
            new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan)));

    public static ImportFile FromBytes(string name, byte[] bytes) => ImportFile.FromBytes(name, bytes);

    // Entries of an uploaded zip, one after another. Each is opened only when its batch comes up
    // and read through ImportFile.ReadBoundedAsync, which stops inflating at the file limit
    // whatever size the entry's header declares, so a zip bomb costs at most maxBytes + 1 per entry.
    public static IEnumerable<ImportFile> FromZip(string zipName, ZipArchive archive)
    {
        foreach (var entry in archive.Entries)
        {
            if (entry.FullName.EndsWith('/') || !Extensions.Contains(Path.GetExtension(entry.Name)))
            {
                continue;
            }
            // Entry names are untrusted (`..\\..\\x.txt`, NUL, device names): only a safe leaf name is kept.
            var name = $"{SafeFileName.From(zipName)}/{SafeFileName.From(entry.FullName)}";
            yield return new ImportFile(name, entry.Length, async ct => await entry.OpenAsync(ct));
        }
    }
}
