using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Cms.Core.Items;

namespace Cms.Core.Tests;

// ZipDirectory reads a zip's end records and walks its directory before ZipArchive holds an
// object per entry. Whatever the bytes, it answers (never throws), and a zip it lets through is
// one ZipArchive opens with at most the limit of entries, or refuses itself.
public sealed class ZipDirectoryTests
{
    private static byte[] Zip(int entries, string? comment = null)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var i = 0; i < entries; i++)
            {
                using var writer = new StreamWriter(zip.CreateEntry($"items/{i:D3}.md").Open());
                writer.Write($"---\ntitle: \"{i}\"\n---\n");
            }
            if (comment is not null)
            {
                zip.Comment = comment;
            }
        }
        return memory.ToArray();
    }

    private static string? Problem(byte[] bytes, int maxEntries = 3, long maxDirectoryBytes = 1 << 20) =>
        ZipDirectory.Problem(new MemoryStream(bytes), maxEntries, maxDirectoryBytes);

    // What ZipArchive does with these bytes: its entry count, or -1 when it refuses them.
    private static int Opened(byte[] bytes)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
            return zip.Entries.Count;
        }
        catch (InvalidDataException)
        {
            return -1;
        }
    }

    [Fact]
    public void A_zip_within_the_limits_passes_and_one_entry_more_is_refused_naming_the_count_and_the_setting()
    {
        Assert.Null(Problem(Zip(3)));
        Assert.Equal("the zip has 4 entries; an upload may have at most 3 (Import__MaxZipEntries): split it, or unzip it on the host and import the folder with ./cms import", Problem(Zip(4)));
    }

    [Fact]
    public void A_directory_larger_than_its_limit_is_refused_naming_its_size()
    {
        var problem = Problem(Zip(3), maxDirectoryBytes: 100);
        Assert.StartsWith("the zip's list of entries (central directory) takes ", problem);
        Assert.Contains("at most 100 (Import__MaxZipDirectoryBytes)", problem);
    }

    [Fact]
    public void An_end_record_declaring_fewer_entries_than_the_directory_holds_is_refused_by_the_walk()
    {
        var bytes = Zip(5);
        var end = bytes.Length - 22;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(end + 8), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(end + 10), 1);

        Assert.Equal("the zip has more than 3 entries; an upload may have at most 3 (Import__MaxZipEntries): split it, or unzip it on the host and import the folder with ./cms import", Problem(bytes));
    }

    [Fact]
    public void A_comment_holding_a_fake_end_record_declaring_one_entry_does_not_hide_the_entries()
    {
        var real = Zip(5);
        var start = BinaryPrimitives.ReadUInt32LittleEndian(real.AsSpan(real.Length - 22 + 16));
        var fake = new byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(fake, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(fake.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(fake.AsSpan(10), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(fake.AsSpan(12), 46);
        BinaryPrimitives.WriteUInt32LittleEndian(fake.AsSpan(16), start);
        // The real end record's comment is the fake one: the last signature in the file is the fake's.
        var bytes = real.Concat(fake).ToArray();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(real.Length - 2), 22);

        Assert.StartsWith("the zip has more than 3 entries", Problem(bytes));
    }

    [Theory]
    [InlineData(ulong.MaxValue, 0UL, 0UL)]
    [InlineData(2UL, ulong.MaxValue, 0UL)]
    [InlineData(2UL, 100UL, ulong.MaxValue)]
    [InlineData(2UL, 100UL, (ulong)long.MaxValue)]
    public void A_zip64_end_record_with_absurd_values_is_refused_without_an_exception(ulong entries, ulong size, ulong start)
    {
        var bytes = new byte[56 + 20 + 22];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, 0x06064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(32), entries);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(40), size);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(48), start);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(56), 0x07064b50);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(76), 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(86), 0xFFFF);

        Assert.NotNull(Problem(bytes));
    }

    [Fact]
    public void A_zip64_locator_pointing_outside_the_file_is_refused()
    {
        var bytes = new byte[20 + 22];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, 0x07064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), ulong.MaxValue - 3);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(20), 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(30), 0xFFFF);

        Assert.Equal("not a readable zip archive: its ZIP64 end record lies outside the file", Problem(bytes));
    }

    [Fact]
    public void Every_truncation_and_thousands_of_random_corruptions_are_answered_and_what_passes_opens_within_the_limit()
    {
        var original = Zip(5, comment: "PK\u0005\u0006 a comment that looks like an end record");
        var random = new Random(1313);
        var cases = Enumerable.Range(0, original.Length).Select(n => original[..n]).ToList();
        for (var i = 0; i < 5_000; i++)
        {
            var bytes = (byte[])original.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                // Most corruptions hit the directory and end records, where the counts and offsets are.
                var at = random.Next(2) == 0 ? random.Next(bytes.Length) : bytes.Length - 1 - random.Next(Math.Min(bytes.Length, 400));
                bytes[at] = random.Next(3) == 0 ? (byte)0xFF : (byte)random.Next(256);
            }
            cases.Add(bytes);
        }

        foreach (var bytes in cases)
        {
            var problem = Problem(bytes, maxEntries: 6);
            if (problem is null)
            {
                Assert.True(Opened(bytes) <= 6, Convert.ToHexString(bytes));
            }
        }
    }

    [Fact]
    public void Bytes_that_are_not_a_zip_are_refused_as_unreadable()
    {
        Assert.Equal("not a readable zip archive: too short to be one", Problem([1, 2, 3]));
        Assert.Equal("not a readable zip archive: no end of central directory record", Problem(Encoding.UTF8.GetBytes(new string('x', 5_000))));
    }

    // The zip's bytes up to its end record, then a ZIP64 end record and locator, then the end record
    // (edited by the caller). zip64Start: where the ZIP64 record says the directory starts.
    private static (byte[] Bytes, int End, uint RealStart, uint Zip64At) WithZip64(int entries, ulong zip64Entries, Func<uint, uint, ulong> zip64Start)
    {
        var real = Zip(entries);
        var end = real.Length - 22;
        var realStart = BinaryPrimitives.ReadUInt32LittleEndian(real.AsSpan(end + 16));
        var zip64At = (uint)end;
        var record = new byte[56];
        BinaryPrimitives.WriteUInt32LittleEndian(record, 0x06064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(4), 44);
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(12), 45);
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(14), 45);
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(24), zip64Entries);
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(32), zip64Entries);
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(40), (ulong)(end - realStart));
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(48), zip64Start(realStart, zip64At));
        var locator = new byte[20];
        BinaryPrimitives.WriteUInt32LittleEndian(locator, 0x07064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(locator.AsSpan(8), zip64At);
        BinaryPrimitives.WriteUInt32LittleEndian(locator.AsSpan(16), 1);
        var bytes = real[..end].Concat(record).Concat(locator).Concat(real[end..]).ToArray();
        return (bytes, end + 76, realStart, zip64At);
    }

    // Readers differ on which all-ones field of the end record sends them to the ZIP64 record
    // (REVIEW14): both directories are walked, so neither can hide the other.
    [Fact]
    public void An_end_record_whose_directory_size_alone_is_all_ones_does_not_send_the_walk_to_a_zip64_record_ZipArchive_never_reads()
    {
        // ZipArchive ignores the ZIP64 record here and reads the 20 entries at the end record's
        // offset; ZipDirectory follows the ZIP64 record to an empty directory (its own bytes).
        var (bytes, end, _, _) = WithZip64(20, 0, (_, zip64At) => zip64At);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(end + 12), uint.MaxValue);

        var opened = Opened(bytes);
        var problem = Problem(bytes);

        Assert.True(problem is not null || opened <= 3, $"ZipDirectory let it through and ZipArchive opened {opened} entries (limit 3)");
    }

    [Fact]
    public void An_end_record_whose_disk_number_is_all_ones_does_not_hide_the_directory_ZipArchive_reads_through_zip64()
    {
        // ZipArchive reads the ZIP64 record (disk number all ones) and its 20 entries; ZipDirectory
        // does not, and walks from the end record's offset, which points at no directory.
        var (bytes, end, _, _) = WithZip64(20, 20, (realStart, _) => realStart);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(end + 4), 0xFFFF);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(end + 6), 0xFFFF);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(end + 8), 0);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(end + 10), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(end + 12), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(end + 16), (uint)(end - 76));

        var opened = Opened(bytes);
        var problem = Problem(bytes);

        Assert.True(problem is not null || opened <= 3, $"ZipDirectory let it through and ZipArchive opened {opened} entries (limit 3)");
    }
}
