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
}
