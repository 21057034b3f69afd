using System.IO.Compression;
using Cms.Core.Items;

namespace Cms.Application.Importing;

public static class ImportSources
{
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".txt", ".md", ".yaml", ".yml" };

    // Files and folders (recursive), lazily, so a million-file corpus is never listed in memory.
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
                var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };
                foreach (var file in new DirectoryInfo(path).EnumerateFiles("*", options))
                {
                    if (Extensions.Contains(file.Extension))
                    {
                        yield return FromDisk(file);
                    }
                }
            }
            else
            {
                throw new FileNotFoundException($"{path}: no such file or folder", path);
            }
        }
    }

    private static ImportFile FromDisk(FileInfo file) =>
        new(file.FullName, file.Length, ct => File.ReadAllBytesAsync(file.FullName, ct));

    public static ImportFile FromBytes(string name, byte[] bytes) =>
        new(name, bytes.LongLength, _ => Task.FromResult(bytes));

    // Entries of an uploaded zip; each is size-checked from its header before it is inflated, and
    // inflation stops at the limit, so a zip bomb costs at most maxBytes + 1 per entry.
    public static IEnumerable<ImportFile> FromZip(string zipName, ZipArchive archive, int maxBytes)
    {
        foreach (var entry in archive.Entries)
        {
            if (entry.FullName.EndsWith('/') || !Extensions.Contains(Path.GetExtension(entry.Name)))
            {
                continue;
            }
            // Entry names are untrusted (`..\\..\\x.txt`, NUL, device names): only a safe leaf name is kept.
            var name = $"{SafeFileName.From(zipName)}/{SafeFileName.From(entry.FullName)}";
            yield return new ImportFile(name, entry.Length, async ct =>
            {
                await using var stream = await entry.OpenAsync(ct);
                var buffer = new MemoryStream();
                var chunk = new byte[81920];
                int read;
                while ((read = await stream.ReadAsync(chunk, ct)) > 0)
                {
                    buffer.Write(chunk, 0, read);
                    if (buffer.Length > maxBytes)
                    {
                        break;
                    }
                }
                return buffer.ToArray();
            });
        }
    }
}
