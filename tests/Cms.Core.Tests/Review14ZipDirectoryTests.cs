using System.Buffers.Binary;
using System.IO.Compression;
using Cms.Core.Items;

namespace Cms.Core.Tests;

// REVIEW14: ZipDirectory and ZipArchive decide differently when to read the ZIP64 end record, so
// each can be pointed at a different directory. ZipArchive (System.IO.Compression) reads it when
// the end record's disk number, directory offset or entry count is all ones; ZipDirectory when the
// entries-on-this-disk, entry count, directory size or offset is all ones.
public sealed class Review14ZipDirectoryTests
{
    private const int Limit = 3;

    private static byte[] Zip(int entries)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var i = 0; i < entries; i++)
            {
                using var writer = new StreamWriter(zip.CreateEntry($"items/{i:D3}.md").Open());
                writer.Write($"---\ntitle: \"{i}\"\n---\n");
            }
        }
        return memory.ToArray();
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
    public void An_end_record_whose_directory_size_alone_is_all_ones_does_not_send_the_walk_to_a_zip64_record_ZipArchive_never_reads()
    {
        // ZipArchive ignores the ZIP64 record here and reads the 20 entries at the end record's
        // offset; ZipDirectory follows the ZIP64 record to an empty directory (its own bytes).
        var (bytes, end, _, _) = WithZip64(20, 0, (_, zip64At) => zip64At);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(end + 12), uint.MaxValue);

        var opened = Opened(bytes);
        var problem = ZipDirectory.Problem(new MemoryStream(bytes), Limit, 1 << 20);

        Assert.True(problem is not null || opened <= Limit, $"ZipDirectory let it through and ZipArchive opened {opened} entries (limit {Limit})");
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
        var problem = ZipDirectory.Problem(new MemoryStream(bytes), Limit, 1 << 20);

        Assert.True(problem is not null || opened <= Limit, $"ZipDirectory let it through and ZipArchive opened {opened} entries (limit {Limit})");
    }
}
