using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Cms.Core.FrontMatter;

// A file's front matter as read: the UTF-8 bytes of the file (when the reader found it there) or
// the text the reader normalized (BOM, CRLF) or was given. The import keeps the bytes: half the
// size of the text for the batch it holds, hashed and COPYed as they are, never decoded into a
// string (issue 23 Build 6, IMPORT12). Each form is made from the other only when asked.
public sealed class SourceText
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[]? _utf8;
    private readonly string? _text;

    private SourceText(byte[]? utf8, string? text)
    {
        _utf8 = utf8;
        _text = text;
    }

    // The bytes are copied: the caller's buffer (the import's batch buffer) is reused.
    // They must be valid UTF-8 (the reader checks before it calls this).
    public static SourceText FromUtf8(ReadOnlySpan<byte> utf8) => new(utf8.ToArray(), null);

    public static SourceText FromText(string text) => new(null, text);

    public bool IsUtf8 => _utf8 is not null;

    // Decoded on each call when kept as bytes (not cached, so the batch never holds both).
    public string Text => _text ?? StrictUtf8.GetString(_utf8!);

    // Encoded on each call when kept as text.
    public ReadOnlyMemory<byte> Utf8 => _utf8 ?? Encoding.UTF8.GetBytes(_text!);

    public TextReader OpenReader() => _utf8 is null ? new StringReader(_text!) : new Utf8TextReader(_utf8);

    public override string ToString() => Text;
}

// Reads valid UTF-8 as UTF-16 text block by block into the caller's buffer: what YamlDotNet's
// scanner reads (TextReader.Read(char[], int, int)), without the whole text as a string first. A
// character outside the BMP is two chars; a block with room for one only gets the first, and the
// second starts the next block.
internal sealed class Utf8TextReader(ReadOnlyMemory<byte> utf8) : TextReader
{
    private ReadOnlyMemory<byte> _rest = utf8;
    private char _pendingLow;

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }
        var written = 0;
        if (_pendingLow != '\0')
        {
            buffer[0] = _pendingLow;
            _pendingLow = '\0';
            written = 1;
        }
        if (_rest.IsEmpty || written == buffer.Length)
        {
            return written;
        }
        var status = Utf8.ToUtf16(_rest.Span, buffer[written..], out var read, out var chars, replaceInvalidSequences: false, isFinalBlock: true);
        _rest = _rest[read..];
        written += chars;
        if (status == OperationStatus.InvalidData)
        {
            throw new DecoderFallbackException("invalid UTF-8");
        }
        if (written == 0 || (status == OperationStatus.DestinationTooSmall && written < buffer.Length))
        {
            // Room for one char and the next character needs two: give its high surrogate now.
            Span<char> pair = stackalloc char[2];
            Utf8.ToUtf16(_rest.Span[..Math.Min(4, _rest.Length)], pair, out read, out var two, replaceInvalidSequences: false, isFinalBlock: true);
            _rest = _rest[read..];
            buffer[written++] = pair[0];
            if (two == 2)
            {
                _pendingLow = pair[1];
            }
        }
        return written;
    }

    public override int Read()
    {
        Span<char> one = stackalloc char[1];
        return Read(one) == 0 ? -1 : one[0];
    }
}
