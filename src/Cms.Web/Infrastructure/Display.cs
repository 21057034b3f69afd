namespace Cms.Web.Infrastructure;

// How much of any one field a page renders: the import limits bound what is stored, but they are
// settings, and the source itself can be a megabyte. Past these the page shows the start and the
// full value is on demand (the item's plain-text source, /Items/Details/{id}?handler=Source).
public static class Display
{
    public const int TitleChars = 500;
    public const int QueueTitleChars = 300;
    public const int LineChars = 300;
    public const int UrlChars = 2_048;
    public const int ExcerptChars = 20_000;
    public const int RelatedExcerptChars = 2_000;
    public const int SourceChars = 64 * 1024;

    public static string? Clip(string? value, int max) =>
        value is null || value.Length <= max ? value : value[..max] + "…";
}
