using System.Globalization;
using System.Text.Json;

namespace Cms.Application.Delivery;

// One delivered item version as JSON, the same in the API's pages, its single-item answer and the
// webhook bodies: {"id", "version", "status", "changedAt", "item"} while published, and a tombstone
// {"id", "version", "status": "withdrawn", "withdrawnAt"} once withdrawn.
public static class DeliveryJson
{
    public const string Published = "published";
    public const string Withdrawn = "withdrawn";

    public static void WriteEntry(Utf8JsonWriter json, long id, int version, bool withdrawn, DateTimeOffset changedAt, string? document, string? cursor = null)
    {
        json.WriteStartObject();
        json.WriteNumber("id", id);
        json.WriteNumber("version", version);
        json.WriteString("status", withdrawn ? Withdrawn : Published);
        json.WriteString(withdrawn ? "withdrawnAt" : "changedAt", Time(changedAt));
        if (cursor is not null)
        {
            json.WriteString("cursor", cursor);
        }
        if (!withdrawn && document is not null)
        {
            json.WritePropertyName("item");
            json.WriteRawValue(document, skipInputValidation: true);
        }
        json.WriteEndObject();
    }

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
