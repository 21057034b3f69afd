using System.Globalization;

namespace Cms.Web.Infrastructure;

// One way to show the values that appear on several pages, so the queue and the item page agree.
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

    // The pipeline writes -1 when it has no trending score; a missing field means the same.
    public static string Heat(int? heat) => heat is null or < 0 ? "unknown" : heat.Value.ToString(CultureInfo.InvariantCulture);
}
