using System.Text;
using Cms.Core.Items;
using Cms.Data;
using Cms.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Hostile;

// Every limit of Import:Limits through the real upload page and importer: one file just inside
// is imported, one just outside is refused naming the file and the field. A Publisher uploads, so
// new topics and categories are allowed and only the limit decides.
public sealed class UploadLimitTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private static readonly ItemLimits Limits = ItemLimits.Default;

    private bool Imported(TestItem item) => Factory.WithDb(db => db.Items.Any(i => i.OriginalUrl == item.OriginalUrl));

    private static string Quote(string value) => "\"" + value + "\"";

    // An item whose one field has the given length (or count), as (field in the refusal, yaml lines).
    public static TheoryData<string, int, string> Cases() => new()
    {
        { "title", Limits.MaxTitleLength, "title" },
        { "excerpt", Limits.MaxExcerptLength, "excerpt" },
        { "provider.name", Limits.MaxProviderLength, "provider" },
        { "category", Limits.MaxCategoryLength, "category" },
        { "type", Limits.MaxTypeLength, "type" },
        { "webUrl", Limits.MaxUrlLength, "url" },
        { "topics", Limits.MaxTopics, "topics" },
        { "topics[0]", TopicNames.MaxLength, "topic" },
        { "related", Limits.MaxRelated, "related" },
        { "related[0].title", Limits.MaxRelatedTitleLength, "related title" },
        { "related[0].excerpt", Limits.MaxRelatedExcerptLength, "related excerpt" },
        { "images", Limits.MaxImages, "images" },
    };

    private static TestItem WithField(string kind, int size)
    {
        var tag = Unique.Tag();
        string Text(int n) => (tag + new string('a', Math.Max(0, n))).Substring(0, n);
        var item = new TestItem();
        return kind switch
        {
            "title" => item with { Title = Text(size) },
            "excerpt" => item with { Excerpt = Text(size) },
            "provider" => item with { ProviderName = Text(size) },
            "category" => item with { Category = Text(size) },
            "type" => item with { ExtraYaml = [$"type: {Quote(Text(size))}"] },
            "url" => item with { ExtraYaml = [$"webUrl: {Quote(("https://e.example/" + tag + "/" + new string('p', size)).Substring(0, size))}"] },
            "topics" => item with { Topics = [.. Enumerable.Range(0, size).Select(i => $"t{i} {tag}")] },
            "topic" => item with { Topics = [Text(size)] },
            "related" => item with { RelatedCount = size },
            "related title" => item with { Related = [(Text(size), "https://other.example/" + tag)] },
            "related excerpt" => item with { ExtraYaml = ["related:", "  - title: r", $"    excerpt: {Quote(Text(size))}"] },
            "images" => item with { ExtraYaml = ["images:", .. Enumerable.Range(0, size).Select(i => $"  - url: \"https://img.example/{tag}/{i}.jpg\"")] },
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_value_just_inside_a_limit_is_imported_and_just_outside_is_refused_by_file_and_field(string field, int limit, string kind)
    {
        var publisher = await SignedInAsync(Roles.Publisher);
        var inside = WithField(kind, limit);
        var outside = WithField(kind, limit + 1);

        var response = await Uploads.UploadAsync(publisher, ("inside.txt", Uploads.File(inside.ToYaml())), ("outside.txt", Uploads.File(outside.ToYaml())));

        var report = await Uploads.ReportAsync(response);
        Assert.Contains("imported 1, updated 0, unchanged 0, rejected 1", report);
        Assert.Contains($"outside.txt: line ", report);
        Assert.Contains($"field '{field}'", report);
        Assert.Contains("over the limit", report);
        Assert.True(Imported(inside));
        Assert.False(Imported(outside));
    }

    [Fact]
    public async Task A_zip_entry_at_the_file_limit_is_imported_and_one_byte_more_is_refused_whatever_its_header_says()
    {
        var publisher = await SignedInAsync(Roles.Publisher);
        var inside = new TestItem();
        var outside = new TestItem();
        var zip = Uploads.Zip(("inside.txt", Padded(inside, 1024 * 1024)), ("outside.txt", Padded(outside, 1024 * 1024 + 1)));
        // The central directory now says the outside entry is 10 bytes: the reader must not believe it.
        LieAboutSize(zip, "outside.txt", 10);

        var response = await Uploads.UploadAsync(publisher, ("sizes.zip", Uploads.File(zip)));

        var report = await Uploads.ReportAsync(response);
        Assert.Contains("imported 1, updated 0, unchanged 0, rejected 1", report);
        Assert.Contains("sizes.zip/outside.txt: ", report);
        Assert.True(Imported(inside));
        Assert.False(Imported(outside));
    }

    // A valid item file of exactly this many bytes (an unknown field carries the padding).
    private static byte[] Padded(TestItem item, int bytes)
    {
        var yaml = item.ToYaml();
        var head = yaml[..^"---\n".Length] + "padding: \"";
        var tail = "\"\n---\n";
        return Encoding.UTF8.GetBytes(head + new string('p', bytes - Encoding.UTF8.GetByteCount(head + tail)) + tail);
    }

    // Rewrites an entry's uncompressed size in the central directory (signature PK\1\2, size at 24).
    private static void LieAboutSize(byte[] zip, string name, uint size)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        for (var i = 0; i < zip.Length - 46; i++)
        {
            if (zip[i] == 0x50 && zip[i + 1] == 0x4b && zip[i + 2] == 1 && zip[i + 3] == 2
                && zip.AsSpan(i + 46, nameBytes.Length).SequenceEqual(nameBytes))
            {
                BitConverter.TryWriteBytes(zip.AsSpan(i + 24, 4), size);
                return;
            }
        }
        throw new InvalidOperationException("entry not found");
    }

    [Fact]
    public async Task A_nul_byte_in_a_title_is_refused_by_name_the_valid_file_beside_it_is_imported_and_a_rerun_imports_nothing_twice()
    {
        var editor = await SignedInAsync(Roles.Editor);
        var valid = new TestItem();
        var nul = $"---\ntitle: \"nul\\0byte\"\noriginalUrl: \"https://nul.example/{Unique.Tag()}\"\n---\n";
        (string, HttpContent)[] Files() => [("nul.txt", Uploads.File(nul)), ("valid.txt", Uploads.File(valid.ToYaml()))];

        var first = await Uploads.ReportAsync(await Uploads.UploadAsync(editor, Files()));
        var second = await Uploads.ReportAsync(await Uploads.UploadAsync(editor, Files()));

        Assert.Contains("imported 1, updated 0, unchanged 0, rejected 1", first);
        Assert.Contains("nul.txt: line 2", first);
        Assert.Contains("field 'title'", first);
        Assert.Contains("imported 0, updated 0, unchanged 1, rejected 1", second);
        Assert.Equal(1, Factory.WithDb(db => db.Items.Count(i => i.OriginalUrl == valid.OriginalUrl)));

        // The same two files in a folder, through the command line's importer.
        using var corpus = new Corpus();
        corpus.Write("nul.txt", nul);
        corpus.Write("valid.txt", (valid with { OriginalUrl = "https://folder.example/" + Unique.Tag() }).ToYaml());
        using var scope = Factory.Services.CreateScope();
        var folder = await Corpus.ImportPathsAsync(scope.ServiceProvider, corpus.Dir);
        var rerun = await Corpus.ImportPathsAsync(scope.ServiceProvider, corpus.Dir);
        Assert.Equal("imported 1, updated 0, unchanged 0, rejected 1", folder.Summary);
        Assert.Equal("imported 0, updated 0, unchanged 1, rejected 1", rerun.Summary);
        Assert.EndsWith("nul.txt", Assert.Single(rerun.Problems).Path);
    }

    [Fact]
    public async Task A_zip_entry_named_with_a_traversal_is_stored_and_exported_under_a_safe_name()
    {
        var editor = await SignedInAsync(Roles.Editor);
        var item = new TestItem();
        var leaf = $"x{Unique.Tag()}.txt";

        var response = await Uploads.UploadAsync(editor, ("evil.zip", Uploads.File(Uploads.Zip(($"..\\..\\{leaf}", Encoding.UTF8.GetBytes(item.ToYaml()))))));

        Assert.Contains("imported 1, updated 0, unchanged 0, rejected 0", await Uploads.ReportAsync(response));
        var stored = Factory.WithDb(db => db.Items.Single(i => i.OriginalUrl == item.OriginalUrl).FileName);
        Assert.Equal(SafeFileName.From($"..\\..\\{leaf}"), stored);
        Assert.DoesNotContain("..", stored);
        Assert.DoesNotContain("\\", stored);
        Assert.DoesNotContain("/", stored);
        using var root = new Corpus();
        var output = Directory.CreateDirectory(Path.Combine(root.Dir, "a", "b")).FullName;
        using (var scope = Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<ItemExporter>().ExportAsync(output, null, CancellationToken.None);
        }
        Assert.True(File.Exists(Path.Combine(output, stored)));
        Assert.Empty(Directory.EnumerateFiles(root.Dir, "*", SearchOption.TopDirectoryOnly));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(root.Dir, "a"), "*", SearchOption.TopDirectoryOnly));
    }

    // ZipArchive holds an object per entry before any is looked at; the entries are counted from
    // the zip's end record and directory first (Import:MaxZipEntries, 100,000 by default). The
    // refused zip is named with the reason; the other files of the upload are imported.
    [Fact]
    public async Task A_zip_of_the_most_entries_is_read_and_one_of_an_entry_more_is_refused_by_name_before_it_is_opened()
    {
        var publisher = await SignedInAsync(Roles.Publisher);
        byte[] EmptyEntries(int count)
        {
            var bytes = new MemoryStream();
            Uploads.WriteEmptyEntriesZip(bytes, count);
            return bytes.ToArray();
        }
        var item = new TestItem();

        var response = await Uploads.UploadAsync(publisher, ("most.zip", Uploads.File(EmptyEntries(100_000))), ("over.zip", Uploads.File(EmptyEntries(100_001))),
            ("item.txt", Uploads.File(item.ToYaml())));
        var report = await Uploads.ReportAsync(response);

        Assert.Contains("over.zip", report);
        Assert.Contains("the zip has 100,001 entries; an upload may have at most 100,000 (Import__MaxZipEntries)", report);
        Assert.DoesNotContain("most.zip", report);
        Assert.True(Imported(item), report.Length > 2000 ? report[..2000] : report);
    }
}
