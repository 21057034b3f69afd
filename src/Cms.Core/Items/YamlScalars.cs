using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;
using Cms.Core.FrontMatter;
using Cms.Core.Text;

namespace Cms.Core.Items;

// How the CMS reads a scalar: YAML 1.2 core-schema resolution of plain scalars (the types
// docs/ITEM_FORMAT.md relies on) plus YAML 1.1's timestamp, exactly as PyYAML matches it. And how each
// value is written so that YAML 1.1 readers (PyYAML, Ruby, Go: `yes`/`on` booleans, octal `010`,
// sexagesimal `1:20`, timestamps) and YAML 1.2 readers read what the CMS read: non-strings in one
// canonical plain form every reader agrees on, strings plain only when no reader can take them for
// anything else (PlainIsString), quoted otherwise.
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

    public const string TagPrefix = "tag:yaml.org,2002:";

    // The tags a file may carry: YAML's core types, and timestamp (a YAML 1.1 type the CMS reads).
    // Anything else (`!!python/name:os.system`, `!!binary`, `!custom`, a bare `!`) is refused.
    public static readonly IReadOnlyDictionary<string, Kind> ScalarTags = new Dictionary<string, Kind>(StringComparer.Ordinal)
    {
        [TagPrefix + "str"] = Kind.String,
        [TagPrefix + "int"] = Kind.Int,
        [TagPrefix + "float"] = Kind.Float,
        [TagPrefix + "bool"] = Kind.Bool,
        [TagPrefix + "null"] = Kind.Null,
        [TagPrefix + "timestamp"] = Kind.Timestamp,
    };

    public const string MapTag = TagPrefix + "map";
    public const string SeqTag = TagPrefix + "seq";

    // Words a YAML 1.1 or 1.2 reader resolves to a boolean or null, in any case (1.1 also has y/n).
    private static readonly HashSet<string> ReservedWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "y", "n", "yes", "no", "on", "off", "true", "false", "null",
    };

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^(0x[0-9a-fA-F]+|0o[0-7]+)$")]
    private static partial Regex IntOtherBasePattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$")]
    private static partial Regex FloatPattern();

    // YAML 1.1's timestamp (https://yaml.org/type/timestamp.html), as PyYAML implements it.
    [GeneratedRegex(@"^(?<y>[0-9]{4})-(?<m>[0-9]{2})-(?<d>[0-9]{2})$|^(?<y>[0-9]{4})-(?<m>[0-9]{1,2})-(?<d>[0-9]{1,2})(?:[Tt]|[ \t]+)(?<H>[0-9]{1,2}):(?<M>[0-9]{2}):(?<S>[0-9]{2})(?:\.(?<f>[0-9]*))?(?:[ \t]*(?<tz>Z|[-+](?<th>[0-9]{1,2})(?::(?<tm>[0-9]{2}))?))?$")]
    private static partial Regex TimestampPattern();

    [GeneratedRegex(@"[ \t]+")]
    private static partial Regex Blanks();

    public static Kind KindOf(SourceScalar scalar)
    {
        if (scalar.Tag is { } tag)
        {
            return ScalarTags.TryGetValue(tag, out var tagged) ? tagged : Kind.String;
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
        // Every number and timestamp pattern below starts with a digit, a sign or a point: most
        // plain values (words, domains, `article`) start with a letter and need none of them.
        if (char.IsAsciiLetter(v[0]))
        {
            return Kind.String;
        }
        if (IntPattern().IsMatch(v) || IntOtherBasePattern().IsMatch(v))
        {
            return Kind.Int;
        }
        if (FloatPattern().IsMatch(v))
        {
            return Kind.Float;
        }
        if (v.Length >= 10 && char.IsAsciiDigit(v[0]) && TimestampPattern().IsMatch(v))
        {
            return Kind.Timestamp;
        }
        return Kind.String;
    }

    // Why the reader refuses this scalar, or null: a tag that is not a core type, a tagged value
    // that is not of its type, an integer beyond 64 bits (readers disagree on those: floats,
    // errors, big integers) or a timestamp that is not a real date and time (PyYAML fails on it).
    public static string? Problem(SourceScalar scalar)
    {
        if (scalar.Tag is { } tag)
        {
            if (!ScalarTags.TryGetValue(tag, out var tagged))
            {
                return $"the tag {ShortTag(tag)} is not allowed (only the YAML core types !!str, !!int, !!float, !!bool, !!null and !!timestamp)";
            }
            var v = scalar.Value.Trim();
            var fits = tagged switch
            {
                Kind.Null => v is "" or "~" or "null" or "Null" or "NULL",
                Kind.Bool => v is "true" or "True" or "TRUE" or "false" or "False" or "FALSE",
                Kind.Int => IntPattern().IsMatch(v) || IntOtherBasePattern().IsMatch(v),
                Kind.Float => FloatPattern().IsMatch(v),
                Kind.Timestamp => TimestampPattern().IsMatch(v),
                _ => true,
            };
            if (!fits)
            {
                return $"'{Clip(scalar.Value)}' is not a valid {ShortTag(tag)}";
            }
        }
        return KindOf(scalar) switch
        {
            Kind.Int when !TryInteger(scalar, out var n) || n < long.MinValue || n > long.MaxValue =>
                $"the integer {Clip(scalar.Value)} is outside the 64-bit range (quote it to keep it as text)",
            Kind.Timestamp when !TryTimestampValue(scalar.Value.Trim(), out _) =>
                $"'{Clip(scalar.Value)}' reads as a timestamp but is not a valid date and time (quote it to keep it as text)",
            _ => null,
        };
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
        value = scalar.Value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase);
        return true;
    }

    // ISO 8601 with a time and an offset (Z or ±hh:mm); both plain timestamps and quoted strings.
    public static bool TryTimestamp(SourceScalar scalar, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(scalar.Value.Trim(), TimestampFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out value);

    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
    ];

    // A canonical (kind, text) pair: two scalars with equal canonical forms are the same YAML value
    // (0x1F and 31 are one integer; 1e5 and 100000.0 one float).
    public static (Kind Kind, string Text) Canonical(SourceScalar scalar)
    {
        var kind = KindOf(scalar);
        return kind switch
        {
            Kind.String => (kind, scalar.Value),
            Kind.Null => (kind, "null"),
            _ => (kind, PlainText(scalar) ?? scalar.Value),
        };
    }

    // The plain text the writer emits for a scalar the CMS reads as null, a boolean, a number or a
    // timestamp: one form that YAML 1.1 and 1.2 readers resolve to that same value (decimal
    // integers, so `010` is never octal; floats with a point and a signed exponent, as YAML 1.1
    // requires). Null for strings, which the writer quotes as needed.
    public static string? PlainText(SourceScalar scalar)
    {
        var v = scalar.Value.Trim();
        switch (KindOf(scalar))
        {
            case Kind.Null:
                return v is "~" or "null" or "Null" or "NULL" ? v : "~";
            case Kind.Bool:
                return v.Equals("true", StringComparison.OrdinalIgnoreCase) ? "true" : "false";
            case Kind.Int:
                return TryInteger(scalar, out var n) ? n.ToString(CultureInfo.InvariantCulture) : null;
            case Kind.Float:
                return FloatText(FloatValue(v));
            case Kind.Timestamp:
                return Blanks().Replace(v, " ");
            default:
                return null;
        }
    }

    // Decimal, 0x and 0o integers of any size.
    public static bool TryInteger(SourceScalar scalar, out BigInteger value)
    {
        var v = scalar.Value.Trim();
        value = BigInteger.Zero;
        if (IntPattern().IsMatch(v))
        {
            return BigInteger.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
        }
        if (v.StartsWith("0x", StringComparison.Ordinal))
        {
            return BigInteger.TryParse("0" + v[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }
        if (v.StartsWith("0o", StringComparison.Ordinal) && v.Length > 2 && v[2..].All(c => c is >= '0' and <= '7'))
        {
            foreach (var c in v[2..])
            {
                value = value * 8 + (c - '0');
            }
            return true;
        }
        return false;
    }

    public static double FloatValue(string text)
    {
        var v = text.Trim();
        if (v.EndsWith("nan", StringComparison.OrdinalIgnoreCase))
        {
            return double.NaN;
        }
        if (v.EndsWith("inf", StringComparison.OrdinalIgnoreCase))
        {
            return v.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;
        }
        return double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    // The shortest text that reads back as the same double, with a point and a signed exponent.
    public static string FloatText(double value)
    {
        if (double.IsNaN(value))
        {
            return ".nan";
        }
        if (double.IsInfinity(value))
        {
            return value > 0 ? ".inf" : "-.inf";
        }
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var e = text.IndexOfAny(['E', 'e']);
        var mantissa = e < 0 ? text : text[..e];
        if (!mantissa.Contains('.'))
        {
            mantissa += ".0";
        }
        if (e < 0)
        {
            return mantissa;
        }
        var exponent = text[(e + 1)..];
        return mantissa + "e" + (exponent.StartsWith('-') || exponent.StartsWith('+') ? exponent : "+" + exponent);
    }

    // The date and time a YAML 1.1 reader constructs from a timestamp, or false when it cannot.
    // The pattern decides; the parts are then read off the text in place: a Match with its eleven
    // named groups and a string per part was 0.5 KiB a timestamp, and a realistic file has one per
    // related link (about 5 KiB of the import's 110 KiB a file; docs/benchmarks.md, IMPORT10).
    public static bool TryTimestampValue(string text, out DateTimeOffset value)
    {
        value = default;
        if (!TimestampPattern().IsMatch(text))
        {
            return false;
        }
        var s = text.AsSpan();
        var i = 0;
        // The pattern has matched, so each part is where it says: digits up to the next separator.
        var year = Digits(s, ref i);
        i++;
        var month = Digits(s, ref i);
        i++;
        var day = Digits(s, ref i);
        int hour = 0, minute = 0, second = 0, tzHours = 0, tzMinutes = 0;
        long ticks = 0;
        var negative = false;
        if (i < s.Length && s[i] != '\n')
        {
            // [Tt] or blanks, then H:M:S
            while (s[i] is 'T' or 't' or ' ' or '\t')
            {
                i++;
            }
            hour = Digits(s, ref i);
            i++;
            minute = Digits(s, ref i);
            i++;
            second = Digits(s, ref i);
            if (i < s.Length && s[i] == '.')
            {
                i++;
                var start = i;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    i++;
                }
                // The first seven digits are ticks (100 ns), shorter fractions padded with zeros.
                for (var k = 0; k < 7; k++)
                {
                    ticks = ticks * 10 + (start + k < i ? s[start + k] - '0' : 0);
                }
            }
            while (i < s.Length && s[i] is ' ' or '\t')
            {
                i++;
            }
            if (i < s.Length && s[i] is '-' or '+')
            {
                negative = s[i] == '-';
                i++;
                tzHours = Digits(s, ref i);
                if (i < s.Length && s[i] == ':')
                {
                    i++;
                    tzMinutes = Digits(s, ref i);
                }
            }
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59 || tzHours > 23 || tzMinutes > 59)
        {
            return false;
        }
        var offset = new TimeSpan(tzHours, tzMinutes, 0);
        if (negative)
        {
            offset = -offset;
        }
        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(ticks);
        try
        {
            value = new DateTimeOffset(local, offset).ToUniversalTime();
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            // 0001-01-01 00:00:00 +05:00 is before the first representable instant.
            return false;
        }
    }

    // A run of ASCII digits (at most four here: the pattern bounds every part) as a number.
    private static int Digits(ReadOnlySpan<char> s, ref int i)
    {
        var n = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            n = n * 10 + (s[i] - '0');
            i++;
        }
        return n;
    }

    // Whether a string may be written plain: it starts with a letter and is not a word any YAML
    // reader resolves (yes, No, ON, y, null ...), so no 1.1 or 1.2 resolver can take it for a
    // number, a date, a boolean, null, a merge key or a value key; and it holds no character a
    // reader folds or refuses (controls, tabs, line breaks, NEL, LS/PS, BOM, noncharacters).
    // Everything else is quoted. The emitter may still quote a plain-safe string (`a: b`).
    public static bool PlainIsString(string value)
    {
        if (value.Length == 0 || !Rune.TryGetRuneAt(value, 0, out var first) || !Rune.IsLetter(first) || ReservedWords.Contains(value))
        {
            return false;
        }
        return value[^1] != ' ' && QuotedIsSafe(value);
    }

    // Whether a string may be written single-quoted (or plain) and read back unchanged by every
    // reader: single-quoted and plain scalars fold line breaks and cannot escape anything.
    public static bool QuotedIsSafe(string value)
    {
        foreach (var c in value)
        {
            if (c < ' ' || c is '\u007F' or '\u2028' or '\u2029' or '\uFEFF' or '\uFFFE' or '\uFFFF' || c is >= '\u0080' and <= '\u009F')
            {
                return false;
            }
        }
        return true;
    }

    private static string ShortTag(string tag) => tag.StartsWith(TagPrefix, StringComparison.Ordinal) ? "!!" + Clip(tag[TagPrefix.Length..]) : Clip(tag);

    private static string Clip(string text) => UnicodeText.Clip(text, 60);
}
