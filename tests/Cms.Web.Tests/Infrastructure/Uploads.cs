using System.Buffers.Binary;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;

namespace Cms.Web.Tests.Infrastructure;

// The upload page's form, as a browser posts it.
public static class Uploads
{
    public static ByteArrayContent File(string text) => File(Encoding.UTF8.GetBytes(text));

    public static ByteArrayContent File(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    public static byte[] Zip(params (string Name, byte[] Bytes)[] entries)
    {
        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in entries)
            {
                using var entry = archive.CreateEntry(name, CompressionLevel.Fastest).Open();
                entry.Write(bytes);
            }
        }
        return zip.ToArray();
    }

    public static async Task<HttpResponseMessage> UploadAsync(HttpClient client, params (string Name, HttpContent Content)[] files)
    {
        var page = await client.GetStringAsync("/Import");
        var form = new MultipartFormDataContent { { new StringContent(Http.AntiforgeryToken(page)), "__RequestVerificationToken" } };
        foreach (var (name, content) in files)
        {
            form.Add(content, "Input.Files", name);
        }
        return await client.PostAsync("/Import", form);
    }

    // The page's report, decoded, for assertions on names and reasons.
    public static async Task<string> ReportAsync(HttpResponseMessage response) =>
        System.Net.WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

    // Stored, empty entries named "a" (no item extension, so the import reads none of them), with
    // a ZIP64 end record for the entry count; written directly, without ZipArchive's own per-entry
    // cost (2,000,000 entries: 148 MiB). Closes the stream (a MemoryStream still gives ToArray).
    public static void WriteEmptyEntriesZip(Stream destination, int count)
    {
        using var output = new BufferedStream(destination, 1 << 20);
        Span<byte> local = stackalloc byte[31];
        BinaryPrimitives.WriteUInt32LittleEndian(local, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(local[4..], 20);
        BinaryPrimitives.WriteUInt16LittleEndian(local[12..], 0x21); // 1980-01-01
        BinaryPrimitives.WriteUInt16LittleEndian(local[26..], 1);
        local[30] = (byte)'a';
        for (var i = 0; i < count; i++)
        {
            output.Write(local);
        }
        long directoryStart = (long)count * local.Length;
        Span<byte> central = stackalloc byte[47];
        BinaryPrimitives.WriteUInt32LittleEndian(central, 0x02014b50);
        BinaryPrimitives.WriteUInt16LittleEndian(central[4..], 20);
        BinaryPrimitives.WriteUInt16LittleEndian(central[6..], 20);
        BinaryPrimitives.WriteUInt16LittleEndian(central[14..], 0x21);
        BinaryPrimitives.WriteUInt16LittleEndian(central[28..], 1);
        central[46] = (byte)'a';
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(central[42..], (uint)((long)i * local.Length));
            output.Write(central);
        }
        long directorySize = (long)count * central.Length;
        var zip64End = directoryStart + directorySize;
        Span<byte> end64 = stackalloc byte[56];
        BinaryPrimitives.WriteUInt32LittleEndian(end64, 0x06064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(end64[4..], 44);
        BinaryPrimitives.WriteUInt16LittleEndian(end64[12..], 45);
        BinaryPrimitives.WriteUInt16LittleEndian(end64[14..], 45);
        BinaryPrimitives.WriteUInt64LittleEndian(end64[24..], (ulong)count);
        BinaryPrimitives.WriteUInt64LittleEndian(end64[32..], (ulong)count);
        BinaryPrimitives.WriteUInt64LittleEndian(end64[40..], (ulong)directorySize);
        BinaryPrimitives.WriteUInt64LittleEndian(end64[48..], (ulong)directoryStart);
        output.Write(end64);
        Span<byte> locator = stackalloc byte[20];
        BinaryPrimitives.WriteUInt32LittleEndian(locator, 0x07064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(locator[8..], (ulong)zip64End);
        BinaryPrimitives.WriteUInt32LittleEndian(locator[16..], 1);
        output.Write(locator);
        Span<byte> end = stackalloc byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], 0xFFFF);
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], 0xFFFF);
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], 0xFFFFFFFF);
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], 0xFFFFFFFF);
        output.Write(end);
    }
}
