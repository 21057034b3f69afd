using System.Text.Json;
using Cms.Core.Auditing;
using Cms.Core.Text;

namespace Cms.Application.Auditing;

// Turns audit events into timeline entries for people: who, when, what, each field's before and
// after, and the reason or note. Event data comes in a few shapes (a `changes` list, bulk edits,
// file operations); whatever is not a field change is shown as detail lines, so nothing recorded is
// hidden from the history.
public static class AuditHistory
{
    // Link: the related link a change is about, by URL and title (events before links had an
    // identity name it only by position, "related[2]"). What: how a link came or went, when it was
    // not a decision. Diff: for long values, the change computed once, bounded (TextDiff); the page
    // shows it instead of Before and After.
    public sealed record Change(string Field, string? Before, string? After, string? Reason,
        (string? Url, string? Title)? Link = null, string? What = null, TextDiff.Result? Diff = null);

    // Longer than this, or on several lines, a value is shown as a diff.
    public const int ShortValueChars = 80;

    // A detail line is cut to this many characters.
    public const int MaxDetailChars = 2_000;

    public static bool IsLong(string? value) => value is { Length: > ShortValueChars } || value?.Contains('\n') == true;

    public sealed record Entry(long? Seq, DateTimeOffset At, string Actor, string Action, string Label,
        IReadOnlyList<Change> Changes, string? Reason, string? Note, IReadOnlyList<(string Key, string Value)> Details);

    private static readonly Dictionary<string, string> Labels = new()
    {
        [AuditActions.ItemImported] = "Imported",
        [AuditActions.ItemSourceUpdated] = "Source updated",
        [AuditActions.ItemRevisionReceived] = "Newer source kept as a revision",
        [AuditActions.ItemRevisionAccepted] = "Source revision accepted",
        [AuditActions.ItemRevisionDismissed] = "Source revision dismissed",
        [AuditActions.ItemTextReread] = "Text re-read under the current rules",
        [AuditActions.CommentTextReread] = "Comment cleaned under the current text rule",
        [AuditActions.ItemCategoryMerged] = "Category spelled as the list's (one category whatever the case)",
        [AuditActions.ItemTopicsMerged] = "Topics spelled as the vocabulary's (one topic whatever the case)",
        [AuditActions.ItemEdited] = "Edited",
        [AuditActions.ItemBulkEdited] = "Edited in bulk",
        [AuditActions.ItemStateChanged] = "Workflow",
        [AuditActions.ItemTransitionRefused] = "Refused",
        [AuditActions.ItemPublishScheduled] = "Publication scheduled",
        [AuditActions.ItemPublishScheduleCancelled] = "Schedule cancelled",
        [AuditActions.PublishOutputWritten] = "Output written",
        [AuditActions.PublishOutputRemoved] = "Output removed",
        [AuditActions.PublishOutputFailed] = "Output failed",
        [AuditActions.AuthorizationRefused] = "Not allowed",
        [AuditActions.ItemMerged] = "Merged into the lead",
        [AuditActions.ItemMergeReceived] = "Items merged in",
        [AuditActions.ItemMergeUndone] = "Merge undone",
        [AuditActions.ItemSplitFromStory] = "Split from its story",
        [AuditActions.ItemMovedToStory] = "Moved to another story",
    };

    public static Entry From(AuditQuery.Row row)
    {
        var changes = new List<Change>();
        var details = new List<(string, string)>();
        string? reason = null, note = null, label = null;
        if (row.Data is { } json)
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in doc.RootElement.EnumerateObject())
                {
                    switch (property.Name)
                    {
                        case "changes" when property.Value.ValueKind == JsonValueKind.Array:
                            changes.AddRange(property.Value.EnumerateArray().Where(c => c.ValueKind == JsonValueKind.Object).Select(ChangeOf));
                            break;
                        case "reason":
                            reason = Text(property.Value);
                            break;
                        case "note":
                            note = Text(property.Value);
                            break;
                        case "action" when row.Action is AuditActions.ItemStateChanged or AuditActions.ItemTransitionRefused:
                            label = Humanize(Text(property.Value));
                            break;
                        default:
                            if (property.Value.ValueKind != JsonValueKind.Null)
                            {
                                details.Add((property.Name, Cut(Text(property.Value) ?? "")));
                            }
                            break;
                    }
                }
            }
        }
        var name = Labels.GetValueOrDefault(row.Action, row.Action);
        if (label is not null)
        {
            name = row.Action == AuditActions.ItemTransitionRefused ? $"Refused: {label}" : label;
        }
        if (row.OmittedChars is { } omitted)
        {
            note = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Details not shown here: this page's history shows the newest {AuditQuery.MaxHistoryPayloadChars:N0} characters of details, and this event's are {omitted:N0}. The audit log shows them.");
        }
        return new Entry(row.Seq, row.At, row.Actor, row.Action, name, changes, reason, note, details);
    }

    private static Change ChangeOf(JsonElement change)
    {
        var field = Property(change, "field") ?? "?";
        var before = Property(change, "before");
        var after = Property(change, "after");
        // An excerpt is stored as the sanitizer renders it (HTML): the history shows and compares its text.
        if (field == "excerpt" || field.EndsWith(".excerpt", StringComparison.Ordinal))
        {
            (before, after) = (Cms.Core.Items.ExcerptHtml.Text(before), Cms.Core.Items.ExcerptHtml.Text(after));
        }
        var link = change.TryGetProperty("url", out _) || change.TryGetProperty("title", out _)
            ? (Property(change, "url"), Property(change, "title"))
            : ((string?, string?)?)null;
        return new Change(field, before, after, Property(change, "reason"), link, Property(change, "what"),
            IsLong(before) || IsLong(after) ? TextDiff.Of(before, after) : null);
    }

    private static string? Property(JsonElement element, string name) => element.TryGetProperty(name, out var value) ? Text(value) : null;

    internal static string Cut(string text) => text.Length > MaxDetailChars ? UnicodeText.Clip(text, MaxDetailChars, $"… ({text.Length - UnicodeText.ClipLength(text, MaxDetailChars):N0} more characters)") : text;

    // Strings as they are, lists joined, anything else as compact JSON.
    public static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Array when value.EnumerateArray().All(v => v.ValueKind is JsonValueKind.String or JsonValueKind.Number) =>
            string.Join(", ", value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText())),
        _ => value.GetRawText(),
    };

    // "SendBack" -> "Send back".
    private static string? Humanize(string? action) =>
        action is null ? null : string.Concat(action.Select((c, i) => i > 0 && char.IsUpper(c) ? " " + char.ToLowerInvariant(c) : c.ToString()));
}
