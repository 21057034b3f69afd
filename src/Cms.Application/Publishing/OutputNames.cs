using System.Security.Cryptography;
using Cms.Core.Items;

namespace Cms.Application.Publishing;

// The name an item is published under, fixed at its first publication: the source file name, or
// `<id>_<name>` when another item publishes under that, or `<id>_<random>_<name>` when that is taken
// too (a file name can be crafted to collide). Each is a safe leaf name that fits the file system
// with the temporary-name suffix (OutputFiles.MaxNameBytes), whatever name the item came with.
public static class OutputNames
{
    // The unique index on items.output_file.
    public const string UniqueIndex = "ix_items_output_file";

    public static IReadOnlyList<string> Candidates(long itemId, string fileName)
    {
        var leaf = SafeFileName.From(fileName);
        var random = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        return [.. new[] { leaf, $"{itemId}_{leaf}", $"{itemId}_{random}_{leaf}" }.Select(n => SafeFileName.Shorten(n, OutputFiles.MaxNameBytes))];
    }

    // The first candidate nobody holds (in the database or earlier in this batch), now taken. The
    // random one is free but for a race, which the unique index turns into a conflict.
    public static string Choose(IReadOnlyList<string> candidates, HashSet<string> taken)
    {
        var name = candidates.FirstOrDefault(taken.Add) ?? candidates[^1];
        taken.Add(name);
        return name;
    }
}
