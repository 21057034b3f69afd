using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using Cms.Screenshots;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Browser;

// The core of `./cms screenshots`: the app on its own throwaway database, the repository's samples,
// Chromium; every picture the README shows, each a real PNG at its documented size with a page in it.
public sealed class ScreenshotsCommandTests
{
    // Named here, not read from ScreenshotRun, so a picture the tool stops taking fails the test.
    private static readonly (string Name, int Width, int Height)[] Expected =
    [
        ("audit", 1440, 900), ("conflict", 1440, 900), ("history", 1440, 900), ("item", 1440, 900),
        ("phone-queue", 390, 844), ("queue", 1440, 900), ("saved-view", 1440, 900), ("source-revision", 1440, 900),
        ("triage", 1440, 900), ("users", 1440, 900),
    ];

    [Fact]
    public async Task The_screenshots_command_writes_every_readme_picture_as_a_png_of_its_size_with_a_page_in_it()
    {
        var folder = Directory.CreateTempSubdirectory("cms-screenshots-test-").FullName;
        try
        {
            var options = new ScreenshotRun.Options(TestPostgres.ServerConnectionString, [Path.Combine(Repo.Root, "samples")], folder, Path.Combine(Repo.Root, "src", "Cms.Web"));
            var written = await ScreenshotRun.RunAsync(options, TextWriter.Null, CancellationToken.None);

            Assert.Equal(Expected.Select(e => e.Name), Directory.GetFiles(folder).Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal));
            Assert.Equal(Expected.Length, written.Count);
            var hashes = new HashSet<string>();
            foreach (var (name, width, height) in Expected)
            {
                var bytes = await File.ReadAllBytesAsync(Path.Combine(folder, name + ".png"));
                var png = Png.Read(bytes);
                Assert.Equal((width, height), (png.Width, png.Height));
                // Not blank: a page has text and controls, so many colours and no single colour
                // covering almost everything (a white or error-free empty page fails both).
                Assert.True(png.Colours >= 16, $"{name}.png has {png.Colours} colours");
                Assert.True(png.CommonestShare <= 0.97, $"{name}.png is {png.CommonestShare:P1} one colour");
                hashes.Add(Convert.ToHexString(SHA256.HashData(bytes)));
            }
            // Different pictures, not one page several times.
            Assert.Equal(Expected.Length, hashes.Count);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_single_colour_picture_counts_as_blank()
    {
        var blank = Png.Read(Png.Solid(40, 30, 0xFF, 0xFF, 0xFF));

        Assert.Equal((40, 30), (blank.Width, blank.Height));
        Assert.Equal(1, blank.Colours);
        Assert.Equal(1.0, blank.CommonestShare);
    }

    // Just enough of PNG (8-bit RGB or RGBA, not interlaced, as Chromium writes them) to count colours.
    private sealed record Png(int Width, int Height, int Colours, double CommonestShare)
    {
        private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

        public static Png Read(byte[] bytes)
        {
            Assert.True(bytes.AsSpan(0, 8).SequenceEqual(Signature), "not a PNG");
            int width = 0, height = 0, channels = 0;
            using var idat = new MemoryStream();
            for (var at = 8; at < bytes.Length;)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at, 4));
                var type = System.Text.Encoding.ASCII.GetString(bytes, at + 4, 4);
                var data = bytes.AsSpan(at + 8, length);
                if (type == "IHDR")
                {
                    width = BinaryPrimitives.ReadInt32BigEndian(data[..4]);
                    height = BinaryPrimitives.ReadInt32BigEndian(data.Slice(4, 4));
                    Assert.Equal(8, data[8]);
                    channels = data[9] switch { 2 => 3, 6 => 4, var t => throw new InvalidOperationException($"colour type {t}") };
                    Assert.Equal(0, data[12]);
                }
                else if (type == "IDAT")
                {
                    idat.Write(data);
                }
                at += 12 + length;
            }
            idat.Position = 0;
            using var inflated = new MemoryStream();
            using (var z = new ZLibStream(idat, CompressionMode.Decompress))
            {
                z.CopyTo(inflated);
            }
            var raw = inflated.ToArray();
            var stride = width * channels;
            var previous = new byte[stride];
            var line = new byte[stride];
            var counts = new Dictionary<int, int>();
            for (var y = 0; y < height; y++)
            {
                var filter = raw[y * (stride + 1)];
                raw.AsSpan(y * (stride + 1) + 1, stride).CopyTo(line);
                for (var x = 0; x < stride; x++)
                {
                    int a = x >= channels ? line[x - channels] : 0, b = previous[x], c = x >= channels ? previous[x - channels] : 0;
                    line[x] += filter switch
                    {
                        0 => 0,
                        1 => (byte)a,
                        2 => (byte)b,
                        3 => (byte)((a + b) / 2),
                        4 => Paeth(a, b, c),
                        _ => throw new InvalidOperationException($"filter {filter}"),
                    };
                }
                for (var x = 0; x < stride; x += channels)
                {
                    var colour = (line[x] << 16) | (line[x + 1] << 8) | line[x + 2];
                    counts[colour] = counts.GetValueOrDefault(colour) + 1;
                }
                (previous, line) = (line, previous);
            }
            return new Png(width, height, counts.Count, counts.Values.Max() / (double)(width * height));
        }

        private static byte Paeth(int a, int b, int c)
        {
            var p = a + b - c;
            int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
            return (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
        }

        // A one-colour RGB picture, for the test of the blank check itself.
        public static byte[] Solid(int width, int height, byte r, byte g, byte b)
        {
            using var pixels = new MemoryStream();
            using (var z = new ZLibStream(pixels, CompressionLevel.Fastest, leaveOpen: true))
            {
                for (var y = 0; y < height; y++)
                {
                    z.WriteByte(0);
                    for (var x = 0; x < width; x++)
                    {
                        z.Write([r, g, b]);
                    }
                }
            }
            var header = new byte[13];
            BinaryPrimitives.WriteInt32BigEndian(header, width);
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
            header[8] = 8;
            header[9] = 2;
            using var png = new MemoryStream();
            png.Write(Signature);
            foreach (var (type, data) in new[] { ("IHDR", header), ("IDAT", pixels.ToArray()), ("IEND", Array.Empty<byte>()) })
            {
                var length = new byte[4];
                BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
                png.Write(length);
                png.Write(System.Text.Encoding.ASCII.GetBytes(type));
                png.Write(data);
                png.Write([0, 0, 0, 0]); // CRC, not checked by Read
            }
            return png.ToArray();
        }
    }
}
