using System.Globalization;
using System.ServiceModel.Syndication;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Xml;
using Cms.Application.Delivery;
using Cms.Core.Items;
using Cms.Core.Text;
using Cms.Web.Infrastructure;

namespace Cms.Web.Api;

// Atom 1.0 (RFC 4287, written by System.ServiceModel.Syndication) and JSON Feed 1.1 of the newest
// delivered versions, all of them or one category's or topic's. One entry per item, its id the
// item's (urn:cms:item:N): a correction is the same entry with a new `updated` (Atom) or
// `date_modified` (JSON Feed) and version; a withdrawal is the same entry again, marked withdrawn,
// with its title and text gone (readers that update entries by id replace what they showed; RFC 6721
// tombstones are ignored by most readers, so they would keep showing the withdrawn text). Older
// entries are reached by RFC 5005 paging (`next` links, `next_url`), by cursor.
public static class Feeds
{
    public const string Namespace = "urn:cms:delivery";
    public const int DefaultSize = 50;
    public const int MaxSize = 200;

    private sealed record Request(string? Category, string? Topic, long? Before, int Size);

    private sealed record Entry(string Id, int Version, bool Withdrawn, DateTimeOffset Updated, DateTimeOffset Published,
        string Title, string? SummaryHtml, string? Url, string? Author, IReadOnlyList<string> Tags);

    public static async Task<IResult> AtomAsync(HttpContext http, PublishedQuery query, IExcerptSanitizer sanitizer, HtmlEncoder encoder, CancellationToken ct)
    {
        if (Parse(http, out var problem) is not { } request)
        {
            return problem!;
        }
        var (entries, older) = await ReadAsync(query, request, sanitizer, encoder, ct);
        var self = Url(http, "atom", request, request.Before);
        var feed = new SyndicationFeed(Title(request), "Published items", null, "urn:cms:feed:" + Key(request), entries.FirstOrDefault()?.Updated ?? DateTimeOffset.UnixEpoch);
        feed.Authors.Add(new SyndicationPerson { Name = "Cms" });
        feed.Links.Add(new SyndicationLink(new Uri(self)) { RelationshipType = "self", MediaType = "application/atom+xml" });
        feed.Links.Add(new SyndicationLink(new Uri(Url(http, "atom", request, null))) { RelationshipType = "first" });
        if (older is { } next)
        {
            feed.Links.Add(new SyndicationLink(new Uri(Url(http, "atom", request, next))) { RelationshipType = "next" });
        }
        feed.Items = entries.Select(e =>
        {
            var item = new SyndicationItem { Id = e.Id, Title = new TextSyndicationContent(e.Title), LastUpdatedTime = e.Updated, PublishDate = e.Published };
            if (e.SummaryHtml is not null)
            {
                item.Summary = new TextSyndicationContent(e.SummaryHtml, TextSyndicationContentKind.Html);
            }
            if (e.Url is not null)
            {
                item.Links.Add(SyndicationLink.CreateAlternateLink(new Uri(e.Url)));
            }
            if (e.Author is not null)
            {
                item.Authors.Add(new SyndicationPerson { Name = e.Author });
            }
            foreach (var tag in e.Tags)
            {
                item.Categories.Add(new SyndicationCategory(tag));
            }
            item.ElementExtensions.Add("version", Namespace, e.Version);
            item.ElementExtensions.Add("status", Namespace, e.Withdrawn ? DeliveryJson.Withdrawn : DeliveryJson.Published);
            return item;
        }).ToList();
        using var buffer = new MemoryStream();
        using (var xml = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Async = false }))
        {
            new Atom10FeedFormatter(feed).WriteTo(xml);
        }
        return DeliveryApi.Conditional(http, buffer.ToArray(), "application/atom+xml; charset=utf-8", entries.FirstOrDefault()?.Updated);
    }

    public static async Task<IResult> JsonAsync(HttpContext http, PublishedQuery query, IExcerptSanitizer sanitizer, HtmlEncoder encoder, CancellationToken ct)
    {
        if (Parse(http, out var problem) is not { } request)
        {
            return problem!;
        }
        var (entries, older) = await ReadAsync(query, request, sanitizer, encoder, ct);
        var body = DeliveryApi.Json(json =>
        {
            json.WriteStartObject();
            json.WriteString("version", "https://jsonfeed.org/version/1.1");
            json.WriteString("title", Title(request));
            json.WriteString("feed_url", Url(http, "json", request, request.Before));
            if (older is { } next)
            {
                json.WriteString("next_url", Url(http, "json", request, next));
            }
            json.WriteStartArray("authors");
            json.WriteStartObject();
            json.WriteString("name", "Cms");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteStartArray("items");
            foreach (var e in entries)
            {
                json.WriteStartObject();
                json.WriteString("id", e.Id);
                json.WriteString("title", e.Title);
                if (e.Url is not null)
                {
                    json.WriteString("url", e.Url);
                }
                json.WriteString("content_html", e.SummaryHtml ?? "");
                json.WriteString("date_published", DeliveryJson.Time(e.Published));
                json.WriteString("date_modified", DeliveryJson.Time(e.Updated));
                if (e.Author is not null)
                {
                    json.WriteStartArray("authors");
                    json.WriteStartObject();
                    json.WriteString("name", e.Author);
                    json.WriteEndObject();
                    json.WriteEndArray();
                }
                if (e.Tags.Count > 0)
                {
                    json.WriteStartArray("tags");
                    foreach (var tag in e.Tags)
                    {
                        json.WriteStringValue(tag);
                    }
                    json.WriteEndArray();
                }
                // JSON Feed extensions start with an underscore.
                json.WriteStartObject("_cms");
                json.WriteNumber("version", e.Version);
                json.WriteString("status", e.Withdrawn ? DeliveryJson.Withdrawn : DeliveryJson.Published);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
        return DeliveryApi.Conditional(http, body, "application/feed+json; charset=utf-8", entries.FirstOrDefault()?.Updated);
    }

    private static Request? Parse(HttpContext http, out IResult? problem)
    {
        problem = null;
        var q = http.Request.Query;
        string? category = q["category"].ToString() is { Length: > 0 } c ? c : null;
        string? topic = q["topic"].ToString() is { Length: > 0 } t ? t : null;
        var size = DefaultSize;
        if (q["limit"].ToString() is { Length: > 0 } l && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxSize))
        {
            problem = Results.Json(new { error = $"limit: between 1 and {MaxSize}" }, statusCode: StatusCodes.Status400BadRequest);
            return null;
        }
        if (category is { Length: > 200 } || topic is { Length: > 200 })
        {
            problem = Results.Json(new { error = "category and topic are at most 200 characters" }, statusCode: StatusCodes.Status400BadRequest);
            return null;
        }
        // Both are echoed in the feed's title, id and links: a control character (or one XML cannot
        // carry) is no category or topic, and the XML writer would throw on it.
        if ((category is not null && !IsText(category)) || (topic is not null && !IsText(topic)))
        {
            problem = Results.Json(new { error = "category and topic may not contain a control character" }, statusCode: StatusCodes.Status400BadRequest);
            return null;
        }
        var before = q["before"].ToString();
        if (!PublishedQuery.TryParseCursor(before, out var cursor))
        {
            problem = Results.Json(new { error = "before: not a cursor from this feed" }, statusCode: StatusCodes.Status400BadRequest);
            return null;
        }
        return new Request(category, topic, before.Length > 0 ? cursor : null, size);
    }

    private static async Task<(List<Entry> Entries, long? Older)> ReadAsync(PublishedQuery query, Request request, IExcerptSanitizer sanitizer, HtmlEncoder encoder, CancellationToken ct)
    {
        var rows = await query.NewestAsync(request.Category, request.Topic, request.Before, request.Size, ct);
        var older = rows.Count > request.Size ? rows[request.Size - 1].Seq : (long?)null;
        return (rows.Take(request.Size).Select(r => ToEntry(r, sanitizer, encoder)).ToList(), older);
    }

    private static Entry ToEntry(PublishedQuery.Entry row, IExcerptSanitizer sanitizer, HtmlEncoder encoder)
    {
        var id = "urn:cms:item:" + row.Id.ToString(CultureInfo.InvariantCulture);
        if (row.Withdrawn || row.Document is null)
        {
            return new Entry(id, row.Version, true, row.ChangedAt, row.FirstPublishedAt, "Withdrawn",
                encoder.Encode($"This item was withdrawn on {row.ChangedAt:yyyy-MM-dd HH:mm} UTC."), null, null, []);
        }
        using var doc = JsonDocument.Parse(row.Document);
        var root = doc.RootElement;
        var title = Text(root, "title") ?? "(untitled)";
        var excerpt = Text(root, "excerpt");
        string? summary = null;
        if (excerpt is not null)
        {
            using var writer = new StringWriter();
            sanitizer.Render(excerpt).WriteTo(writer, encoder);
            summary = writer.ToString();
        }
        var url = Text(root, "webUrl") is { } web && UrlRules.IsAbsoluteHttp(web) ? web
            : Text(root, "originalUrl") is { } original && UrlRules.IsAbsoluteHttp(original) ? original : null;
        var author = root.TryGetProperty("provider", out var provider) && provider.ValueKind == JsonValueKind.Object ? Text(provider, "name") : null;
        var tags = new List<string>();
        if (Text(root, "category") is { } category)
        {
            tags.Add(category);
        }
        if (root.TryGetProperty("topics", out var topics) && topics.ValueKind == JsonValueKind.Array)
        {
            tags.AddRange(topics.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => XmlText(t.GetString()!)));
        }
        return new Entry(id, row.Version, false, row.ChangedAt, row.FirstPublishedAt, title, summary, url, author, tags);
    }

    private static bool IsText(string value) =>
        UnicodeText.FindControlCharacter(value, allowNewlines: false) < 0 && XmlText(value) == value;

    // What XML 1.0 can carry of a string: anything else (U+FFFE, U+FFFF, a lone surrogate) becomes
    // U+FFFD, so one stored value can never make the feed unwritable.
    private static string XmlText(string value)
    {
        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (i + 1 < value.Length && XmlConvert.IsXmlSurrogatePair(value[i + 1], value[i]))
            {
                text.Append(value, i++, 2);
            }
            else
            {
                text.Append(XmlConvert.IsXmlChar(value[i]) ? value[i] : '\uFFFD');
            }
        }
        return text.ToString();
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s ? XmlText(s) : null;

    private static string Key(Request r) => r.Category is not null ? "category:" + r.Category : r.Topic is not null ? "topic:" + r.Topic : "all";

    private static string Title(Request r) => r.Category is not null ? $"Published items: {r.Category}" : r.Topic is not null ? $"Published items on {r.Topic}" : "Published items";

    private static string Url(HttpContext http, string format, Request r, long? before)
    {
        var query = new List<string>();
        if (r.Category is not null)
        {
            query.Add("category=" + Uri.EscapeDataString(r.Category));
        }
        if (r.Topic is not null)
        {
            query.Add("topic=" + Uri.EscapeDataString(r.Topic));
        }
        if (r.Size != DefaultSize)
        {
            query.Add("limit=" + r.Size.ToString(CultureInfo.InvariantCulture));
        }
        if (before is { } b)
        {
            query.Add("before=" + PublishedQuery.Cursor(b));
        }
        var path = $"{http.Request.Scheme}://{http.Request.Host}{DeliveryApi.Prefix}/feeds/{format}";
        return query.Count == 0 ? path : path + "?" + string.Join("&", query);
    }
}
