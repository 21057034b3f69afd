using System.Globalization;
using System.Text.RegularExpressions;
using Cms.Core.FrontMatter;

namespace Cms.Core.Items;

// YAML 1.2 core-schema resolution of plain scalars, the types docs/ITEM_FORMAT.md relies on.
public static partial class YamlScalars
{
    public enum Kind
    {
        Null,
        Bool,
        Int,
        Float,
        Timestamp,
        String,
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^(0x[0-9a-fA-F]+|0o[0-7]+)$")]
    private static partial Regex IntOtherBasePattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$")]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^\d{4}-\d\d?-\d\d?([Tt ]|\s+)?(\d\d?:\d\d:\d\d(\.\d+)?)?\s*(Z|[-+]\d\d?(:?\d\d)?)?$")]
    private static partial Regex TimestampPattern();

    public static Kind KindOf(SourceScalar scalar)
    {
        if (scalar.Tag is { } tag)
        {
            return tag switch
            {
                "tag:yaml.org,2002:str" => Kind.String,
                "tag:yaml.org,2002:int" => Kind.Int,
                "tag:yaml.org,2002:bool" => Kind.Bool,
                "tag:yaml.org,2002:null" => Kind.Null,
                "tag:yaml.org,2002:float" => Kind.Float,
                "tag:yaml.org,2002:timestamp" => Kind.Timestamp,
                _ => Kind.String,
            };
        }
        if (!scalar.IsPlain)
        {
            return Kind.String;
        }
        var v = scalar.Value;
        if (scalar.IsNull)
        {
            return Kind.Null;
        }
        if (v is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return Kind.Bool;
        }
        if (IntPattern().IsMatch(v) || IntOtherBasePattern().IsMatch(v))
        {
            return Kind.Int;
        }
        if (FloatPattern().IsMatch(v))
        {
            return Kind.Float;
        }
        if (v.Length >= 8 && char.IsAsciiDigit(v[0]) && TimestampPattern().IsMatch(v))
        {
            return Kind.Timestamp;
        }
        return Kind.String;
    }

    public static bool TryInt(SourceScalar scalar, out long value)
    {
        value = 0;
        return KindOf(scalar) == Kind.Int && IntPattern().IsMatch(scalar.Value)
            && long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryBool(SourceScalar scalar, out bool value)
    {
        value = false;
        if (KindOf(scalar) != Kind.Bool)
        {
            return false;
        }
        value = scalar.Value.Equals("true", StringComparison.OrdinalIgnoreCase);
        return true;
    }

    // ISO 8601 with a time and an offset (Z or ±hh:mm); both plain timestamps and quoted strings.
    public static bool TryTimestamp(SourceScalar scalar, out DateTimeOffset value)
    {
        string[] formats =
        [
            "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK",
            "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        ];
        return DateTimeOffset.TryParseExact(scalar.Value.Trim(), formats, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out value);
    }

    // A canonical (kind, text) pair: two scalars with equal canonical forms are the same YAML value.
    public static (Kind Kind, string Text) Canonical(SourceScalar scalar)
    {
        var kind = KindOf(scalar);
        return kind switch
        {
            Kind.Null => (kind, "null"),
            Kind.Bool => (kind, scalar.Value.ToLowerInvariant()),
            _ => (kind, scalar.Value),
        };
    }
}
