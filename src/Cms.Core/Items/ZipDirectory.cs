using System.Buffers.Binary;
using System.Globalization;

namespace Cms.Core.Items;

// Checks a zip's central directory before ZipArchive opens it: ZipArchive reads the whole directory
// into one object per entry (~400 bytes each) before anything can be looked at, so a zip of two
// million empty entries (150 MB) cost 800 MiB. No framework or served library counts entries
// without materializing them; this reads the end record (and the ZIP64 one), then walks the
// directory headers from each start a reader may take, as ZipArchive walks (until a header's
// signature is wrong), holding one header at a time. The counts in the end records are not trusted: a zip may
// declare one entry and hold a million. Null when ZipArchive would read at most maxEntries entries
// from at most maxDirectoryBytes of directory; otherwise why not.
public static class ZipDirectory
{
    private const uint EndSignature = 0x06054b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint HeaderSignature = 0x02014b50;
    private const int EndSize = 22;
    private const int Zip64LocatorSize = 20;
    private const int Zip64EndSize = 56;
    private const int HeaderSize = 46;
    private const int MaxCommentLength = ushort.MaxValue;

    public static string? Problem(Stream zip, int maxEntries, long maxDirectoryBytes)
    {
        var length = zip.Length;
        if (length < EndSize)
        {
            return Unreadable("too short to be one");
        }
        // The end record is the last one within the largest comment of the end (ZipArchive takes
        // the last signature too, even one inside a comment).
        var tail = new byte[(int)Math.Min(length, EndSize + MaxCommentLength)];
        var tailStart = length - tail.Length;
        ReadAt(zip, tailStart, tail);
        var at = tail.AsSpan(0, tail.Length - EndSize + 4).LastIndexOf(Signature(EndSignature));
        if (at < 0)
        {
            return Unreadable("no end of central directory record");
        }
        var end = tail.AsSpan(at, EndSize);
        ulong declared = BinaryPrimitives.ReadUInt16LittleEndian(end[10..]);
        ulong size = BinaryPrimitives.ReadUInt32LittleEndian(end[12..]);
        ulong start = BinaryPrimitives.ReadUInt32LittleEndian(end[16..]);
        // All ones means "see the ZIP64 record"; such a field is no directory's count, size or start.
        var starts = new List<ulong>(2);
        if (declared != ushort.MaxValue && declared > (ulong)maxEntries)
        {
            return TooMany(declared.ToString("N0", CultureInfo.InvariantCulture), maxEntries);
        }
        if (size != uint.MaxValue && size > (ulong)maxDirectoryBytes)
        {
            return TooLarge(size, maxDirectoryBytes);
        }
        if (start != uint.MaxValue)
        {
            if (start > (ulong)length)
            {
                return Unreadable("its central directory starts beyond the end of the file");
            }
            starts.Add(start);
        }
        // Readers differ on which end-record fields send them to the ZIP64 record (ZipArchive: the
        // disk number, the offset or the count; others: any all-ones field), so whenever a ZIP64
        // locator stands before the end record, the directory it names is walked as well as the end
        // record's: a zip cannot show this check one directory and ZipArchive another (REVIEW14).
        var endStart = tailStart + at;
        if (endStart >= Zip64LocatorSize)
        {
            var locator = new byte[Zip64LocatorSize];
            ReadAt(zip, endStart - Zip64LocatorSize, locator);
            if (BinaryPrimitives.ReadUInt32LittleEndian(locator) == Zip64LocatorSignature)
            {
                var recordAt = BinaryPrimitives.ReadUInt64LittleEndian(locator.AsSpan(8));
                if (length < Zip64EndSize || recordAt > (ulong)(length - Zip64EndSize))
                {
                    return Unreadable("its ZIP64 end record lies outside the file");
                }
                var record = new byte[Zip64EndSize];
                ReadAt(zip, (long)recordAt, record);
                if (BinaryPrimitives.ReadUInt32LittleEndian(record) != Zip64EndSignature)
                {
                    return Unreadable("no ZIP64 end of central directory record where its locator points");
                }
                var declared64 = BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(32));
                var size64 = BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(40));
                var start64 = BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(48));
                if (declared64 > (ulong)maxEntries)
                {
                    return TooMany(declared64.ToString("N0", CultureInfo.InvariantCulture), maxEntries);
                }
                if (size64 > (ulong)maxDirectoryBytes)
                {
                    return TooLarge(size64, maxDirectoryBytes);
                }
                if (start64 > (ulong)length)
                {
                    return Unreadable("its central directory starts beyond the end of the file");
                }
                starts.Add(start64);
            }
        }
        foreach (var from in starts.Distinct())
        {
            if (Walk(zip, (long)from, maxEntries, maxDirectoryBytes) is { } problem)
            {
                return problem;
            }
        }
        return null;
    }

    // Counts the headers ZipArchive would read: from the start, one after another, until one does
    // not begin with the header signature (or the file ends).
    private static string? Walk(Stream zip, long start, int maxEntries, long maxDirectoryBytes)
    {
        var header = new byte[HeaderSize];
        var position = start;
        var entries = 0;
        while (position <= zip.Length - HeaderSize)
        {
            ReadAt(zip, position, header);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != HeaderSignature)
            {
                break;
            }
            position += HeaderSize + BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(28))
                + BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(30)) + BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(32));
            if (++entries > maxEntries)
            {
                return TooMany(string.Create(CultureInfo.InvariantCulture, $"more than {maxEntries:N0}"), maxEntries);
            }
            if (position - start > maxDirectoryBytes)
            {
                return TooLarge((ulong)(position - start), maxDirectoryBytes);
            }
        }
        return null;
    }

    private static void ReadAt(Stream zip, long position, Span<byte> into)
    {
        zip.Position = position;
        zip.ReadExactly(into);
    }

    private static byte[] Signature(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }

    private static string Unreadable(string why) => $"not a readable zip archive: {why}";

    private static string TooMany(string count, int maxEntries) =>
        string.Create(CultureInfo.InvariantCulture, $"the zip has {count} entries; an upload may have at most {maxEntries:N0} (Import__MaxZipEntries): split it, or unzip it on the host and import the folder with ./cms import");

    private static string TooLarge(ulong bytes, long maxDirectoryBytes) =>
        string.Create(CultureInfo.InvariantCulture, $"the zip's list of entries (central directory) takes {bytes:N0} bytes; an upload's may take at most {maxDirectoryBytes:N0} (Import__MaxZipDirectoryBytes): split it, or unzip it on the host and import the folder with ./cms import");
}
