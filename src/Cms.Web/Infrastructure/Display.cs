using System.Globalization;
using Microsoft.AspNetCore.Html;

namespace Cms.Web.Infrastructure;

// One way to show the values that appear on several pages, so the queue and the item page agree,
// and how much of a field any page shows.
public static class Display
{
    // ISO 8601 dates everywhere (tables, inputs); times are UTC, as the pipeline delivers them.
    public const string DateFormat = "yyyy-MM-dd";
    public const string DateInputPattern = @"\d{4}-\d{2}-\d{2}";

    public static string Date(DateOnly? date) => date?.ToString(DateFormat, CultureInfo.InvariantCulture) ?? "";

    public static string DateTime(DateTimeOffset? at) =>
        at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "";

    public static string Date(DateTimeOffset? at) => at?.UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture) ?? "";

    public static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture) ?? "";

    // For <time datetime="...">.
    public static string MachineDateTime(DateTimeOffset? at) =>
        at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "";

    // The queue's date cells, <time datetime="yyyy-MM-ddTHH:mm:ssZ"><span>yyyy-MM-dd</span> HH:mm</time>
    // (the span keeps the date on one line, site.css): what MachineDateTime, Date and Time write, as
    // one string built from the digits instead of three custom-format passes, three encoder passes
    // and seven writes a cell (digits, '-', ':' need no encoding; docs/benchmarks.md, QUEUE7).
    public static HtmlString TimeCell(DateTimeOffset? at) =>
        at is { } value ? new HtmlString(string.Create(TimeCellLayout.Length, value.UtcDateTime, WriteTimeCell)) : EmptyTimeCell;

    private static readonly HtmlString EmptyTimeCell = new("<time datetime=\"\"><span></span> </time>");

    private const string TimeCellLayout = "<time datetime=\"yyyy-MM-ddTHH:mm:ssZ\"><span>yyyy-MM-dd</span> HH:mm</time>";

    private static void WriteTimeCell(Span<char> c, System.DateTime t)
    {
        TimeCellLayout.CopyTo(c);
        // Where each field's digits go in the machine-readable value; the shown date and time copy them.
        ReadOnlySpan<(int At, int Length, int Value)> fields = [(16, 4, t.Year), (21, 2, t.Month), (24, 2, t.Day), (27, 2, t.Hour), (30, 2, t.Minute), (33, 2, t.Second)];
        foreach (var (at, length, value) in fields)
        {
            Digits(c.Slice(at, length), value);
        }
        c.Slice(16, 10).CopyTo(c[44..]);
        c.Slice(27, 5).CopyTo(c[62..]);
    }

    // value as exactly digits.Length decimal digits, zero-padded (as "yyyy", "MM" pad).
    private static void Digits(Span<char> digits, int value)
    {
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            digits[i] = (char)('0' + value % 10);
            value /= 10;
        }
    }

    // A UTC minute typed as ISO text ("2026-12-24 08:30"; a 'T' and seconds are accepted too): a
    // datetime-local field would show the browser's locale (mm/dd/yyyy) where every other date is ISO.
    public const string MinuteInputFormat = "yyyy-mm-dd hh:mm";
    public const string MinuteInputPattern = @"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?";

    private static readonly string[] MinuteFormats = ["yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss"];

    public static DateTimeOffset? ParseUtcMinute(string? text) =>
        System.DateTime.TryParseExact(text?.Trim(), MinuteFormats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
            ? new DateTimeOffset(at, TimeSpan.Zero)
            : null;

    // The pipeline writes -1 when it has no trending score; a missing field means the same.
    public static string Heat(int? heat) => heat is null or < 0 ? "unknown" : heat.Value.ToString(CultureInfo.InvariantCulture);


    // How much of any one field a page renders: the import limits bound what is stored, but they are
    // settings, and the source itself can be a megabyte. Past these the page shows the start and the
    // full value is on demand (the item's plain-text source, /Items/Details/{id}?handler=Source).
    public const int TitleChars = 500;
    public const int QueueTitleChars = 300;
    public const int LineChars = 300;
    public const int UrlChars = 2_048;
    public const int RelatedExcerptChars = 2_000;
    public const int SourceChars = Cms.Application.Items.ItemPage.SourceChars;

    public static string? Clip(string? value, int max) => value is null ? null : Cms.Core.Text.UnicodeText.Clip(value, max);

    // A URL shown as text (link text, an image's alt text, a related link's address line): its
    // invisible and bidi characters percent-encoded (UrlRules.Shown), so it reads as where it goes,
    // rows imported before the parser stored URLs that way included.
    public static string? Url(string? url) => Clip(url is null ? null : Cms.Core.Items.UrlRules.Shown(url), UrlChars);

    // A value recorded in the history (before/after of a change): a URL is shown as Url shows it,
    // so an old row's or an old event's raw bidi override is not drawn reordered; other text as it
    // was recorded.
    public static string? Value(string? value) => Cms.Core.Items.UrlRules.IsAbsoluteHttp(value) ? Url(value) : value;

    // A comment's text as HTML: every character encoded, absolute http(s) URLs as links that open
    // apart and pass no referrer, mentions as the person's current name. Nothing else becomes markup.
    public static Microsoft.AspNetCore.Html.IHtmlContent Comment(IReadOnlyList<Cms.Core.Talk.CommentSegment> segments)
    {
        var html = new Microsoft.AspNetCore.Html.HtmlContentBuilder();
        foreach (var s in segments)
        {
            switch (s.Kind)
            {
                case Cms.Core.Talk.CommentSegmentKind.Link:
                    html.AppendHtml("<a href=\"").Append(s.Text).AppendHtml("\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">").Append(s.Text).AppendHtml("</a>");
                    break;
                case Cms.Core.Talk.CommentSegmentKind.Mention:
                    html.AppendHtml("<span class=\"mention\">").Append(s.Text).AppendHtml("</span>");
                    break;
                default:
                    html.Append(s.Text);
                    break;
            }
        }
        return html;
    }
}
