using System.Globalization;

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

    public static string? Clip(string? value, int max) =>
        value is null || value.Length <= max ? value : value[..max] + "…";

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
