using System.Text.Json;
using Cms.Core.Auditing;

namespace Cms.Application.Auditing;

// Turns audit events into timeline entries for people: who, when, what, each field's before and
// after, and the reason or note. Event data comes in a few shapes (a `changes` list, bulk edits,
// file operations); whatever is not a field change is shown as detail lines, so nothing recorded is
// hidden from the history.
public static class AuditHistory
{
    public sealed record Change(string Field, string? Before, string? After, string? Reason);

    public sealed record Entry(long? Seq, DateTimeOffset At, string Actor, string Action, string Label,
        IReadOnlyList<Change> Changes, string? Reason, string? Note, IReadOnlyList<(string Key, string Value)> Details);

    private static readonly Dictionary<string, string> Labels = new()
    {
        [AuditActions.ItemImported] = "Imported",
        [AuditActions.ItemSourceUpdated] = "Source updated",
        [AuditActions.ItemRevisionReceived] = "Newer source kept as a revision",
        [AuditActions.ItemRevisionAccepted] = "Source revision accepted",
        [AuditActions.ItemRevisionDismissed] = "Source revision dismissed",
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
                                details.Add((property.Name, Text(property.Value) ?? ""));
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
        return new Entry(row.Seq, row.At, row.Actor, row.Action, name, changes, reason, note, details);
    }

    private static Change ChangeOf(JsonElement change) => new(
        change.TryGetProperty("field", out var f) ? Text(f) ?? "?" : "?",
        change.TryGetProperty("before", out var b) ? Text(b) : null,
        change.TryGetProperty("after", out var a) ? Text(a) : null,
        change.TryGetProperty("reason", out var r) ? Text(r) : null);

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
