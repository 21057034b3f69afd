using System.Buffers.Binary;
using System.Security.Cryptography;
using Cms.Screenshots;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Browser;

// The core of `./cms screenshots`: the app on its own throwaway database, the repository's samples,
// Chromium; the seven pictures the README shows, each a real PNG at the documented width.
public sealed class ScreenshotsCommandTests
{
    [Fact]
    public async Task The_screenshots_command_writes_the_seven_pictures_as_pngs_1440_pixels_wide()
    {
        var folder = Directory.CreateTempSubdirectory("cms-screenshots-test-").FullName;
        try
        {
            var options = new ScreenshotRun.Options(TestPostgres.ServerConnectionString, [Path.Combine(Repo.Root, "samples")], folder, Path.Combine(Repo.Root, "src", "Cms.Web"));
            var written = await ScreenshotRun.RunAsync(options, TextWriter.Null, CancellationToken.None);

            Assert.Equal(["audit", "conflict", "history", "item", "queue", "source-revision", "users"], Directory.GetFiles(folder).Select(Path.GetFileNameWithoutExtension).Order());
            Assert.Equal(7, written.Count);
            var hashes = new HashSet<string>();
            foreach (var path in written)
            {
                var bytes = await File.ReadAllBytesAsync(path);
                Assert.True(bytes.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), $"{path} is not a PNG");
                Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
                Assert.Equal(1440, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
                Assert.Equal(ScreenshotRun.Height, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
                hashes.Add(Convert.ToHexString(SHA256.HashData(bytes)));
            }
            // Seven different pictures, not one page seven times.
            Assert.Equal(7, hashes.Count);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
