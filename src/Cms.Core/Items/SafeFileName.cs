using System.Text;
using Cms.Core.Text;

namespace Cms.Core.Items;

// Reduces a zip entry or upload name, which is untrusted, to a leaf file name that is safe to
// show, log, store in a text column and write on Linux or Windows: no folders or traversal, no
// control, invisible or bidi characters, nothing Windows refuses. Pure: it never touches a disk.
public static class SafeFileName
{
    // In UTF-8 bytes, as file systems count (255 per name on Linux): 200 leaves room for the
    // publish folder's `<id>_` prefixes and temporary-name suffix (OutputFiles).
    public const int MaxBytes = 200;

    public const string Fallback = "item.txt";

    private const string WindowsInvalid = "<>:\"|?*";

    // Windows opens a device for these whatever the extension ("CON.txt"), and also for the
    // superscript digits ¹²³.
    private static readonly HashSet<string> ReservedDeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM\u00B9", "COM\u00B2", "COM\u00B3",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT\u00B9", "LPT\u00B2", "LPT\u00B3",
    };

    public static string From(string? entryName, string fallback = Fallback)
    {
        if (string.IsNullOrEmpty(entryName))
        {
            return fallback;
        }
        // Both separators: a zip made on Windows may use '\' whatever the format says.
        var leaf = entryName[(entryName.LastIndexOfAny(['/', '\\']) + 1)..];
        var kept = new StringBuilder(leaf.Length);
        foreach (var rune in leaf.EnumerateRunes())
        {
            // An unpaired surrogate arrives as U+FFFD; C1 controls and line separators go too.
            var drop = rune == Rune.ReplacementChar
                || UnicodeText.IsInvisibleOrBidi(rune)
                || (rune.IsBmp && (char.IsControl((char)rune.Value) || (char)rune.Value is '\u2028' or '\u2029' || WindowsInvalid.Contains((char)rune.Value)));
            if (!drop)
            {
                kept.Append(rune.ToString());
            }
        }
        var name = Shorten(Trim(kept.ToString()), MaxBytes);
        if (name.Length == 0)
        {
            return fallback;
        }
        // Checked after shortening, which can leave "CON" as the stem; the prefix can then make
        // the name one too long, and shortening again keeps the prefix.
        return IsReserved(name) ? Shorten("_" + name, MaxBytes) : name;
    }

    private static bool IsReserved(string name) => ReservedDeviceNames.Contains(name.Split('.')[0].TrimEnd(' '));

    // Leading spaces are easy to miss; Windows drops trailing dots and spaces itself, so "x.txt."
    // and "x.txt" would be one file. This also turns "." and ".." into nothing.
    private static string Trim(string name) => name.TrimStart(' ').TrimEnd('.', ' ');

    // Cuts a name to at most maxBytes of UTF-8, keeping a short extension, so the shortened name is
    // still read as the same kind of file; never inside a character (a surrogate pair is one rune).
    public static string Shorten(string name, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(name) <= maxBytes)
        {
            return name;
        }
        var dot = name.LastIndexOf('.');
        var extension = dot > 0 && name.Length - dot <= 16 ? name[dot..] : "";
        var budget = maxBytes - Encoding.UTF8.GetByteCount(extension);
        var stem = new StringBuilder();
        var used = 0;
        foreach (var rune in name[..(name.Length - extension.Length)].EnumerateRunes())
        {
            if (used + rune.Utf8SequenceLength > budget)
            {
                break;
            }
            stem.Append(rune.ToString());
            used += rune.Utf8SequenceLength;
        }
        return Trim(stem.ToString()) + extension;
    }
}
