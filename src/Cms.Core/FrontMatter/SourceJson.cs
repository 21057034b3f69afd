using System.Globalization;
using System.Text;
using System.Text.Json;
using Cms.Core.Items;

namespace Cms.Core.FrontMatter;

// The item format as JSON for consuming sites: mappings become objects (keys in order), sequences
// arrays, and each scalar its YAML 1.2 core type (null, boolean, integer, number; timestamps as ISO
// 8601 UTC strings; everything else, quoted scalars included, a string), so a site reads the values
// the CMS showed. Integers beyond 64 bits and non-finite floats stay strings.
public static class SourceJson
{
    public static string Serialize(SourceNode node)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, node);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static void Write(Utf8JsonWriter json, SourceNode node)
    {
        switch (node)
        {
            case SourceMapping mapping:
                json.WriteStartObject();
                foreach (var (key, value) in mapping.Entries)
                {
                    json.WritePropertyName(key);
                    Write(json, value);
                }
                json.WriteEndObject();
                break;
            case SourceSequence sequence:
                json.WriteStartArray();
                foreach (var item in sequence.Items)
                {
                    Write(json, item);
                }
                json.WriteEndArray();
                break;
            case SourceScalar scalar:
                WriteScalar(json, scalar);
                break;
        }
    }

    private static void WriteScalar(Utf8JsonWriter json, SourceScalar scalar)
    {
        switch (YamlScalars.KindOf(scalar))
        {
            case YamlScalars.Kind.Null:
                json.WriteNullValue();
                return;
            case YamlScalars.Kind.Bool when YamlScalars.TryBool(scalar, out var flag):
                json.WriteBooleanValue(flag);
                return;
            case YamlScalars.Kind.Int when YamlScalars.TryInt(scalar, out var number):
                json.WriteNumberValue(number);
                return;
            case YamlScalars.Kind.Float when double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real):
                json.WriteNumberValue(real);
                return;
            case YamlScalars.Kind.Timestamp when YamlScalars.TryTimestamp(scalar, out var at):
                json.WriteStringValue(at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
                return;
            default:
                json.WriteStringValue(scalar.Value);
                return;
        }
    }
}
