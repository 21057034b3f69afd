namespace Cms.Application.Importing;

// One file to import, from disk, an upload or a zip entry; opened only when its batch comes up.
// Length is what the source declares (a zip header can lie; -1 when unknown): it lets an
// over-limit file be refused without reading it, but the reader never trusts it for anything else.
public sealed record ImportFile(string Path, long Length, Func<CancellationToken, Task<Stream>> OpenAsync)
{
    public static ImportFile FromBytes(string path, byte[] bytes) =>
        new(path, bytes.LongLength, _ => Task.FromResult<Stream>(new MemoryStream(bytes, writable: false)));

    // Appends at most maxBytes + 1 bytes to the batch's buffer, whatever the declared length: the
    // extra byte tells an over-limit file apart from one exactly at the limit. Returns where they are.
    public async Task<(int Start, int Length)> ReadBoundedAsync(BatchBuffer into, int maxBytes, CancellationToken ct)
    {
        await using var stream = await OpenAsync(ct);
        var limit = maxBytes + 1;
        var filled = 0;
        var room = into.Room(filled, (int)Math.Clamp(Length + 1, 4096, limit));
        while (filled < limit)
        {
            if (room.IsEmpty)
            {
                room = into.Room(filled, (int)Math.Min(limit - filled, Math.Max(filled, 4096)));
            }
            var read = await stream.ReadAsync(room[..Math.Min(room.Length, limit - filled)], ct);
            if (read == 0)
            {
                break;
            }
            filled += read;
            room = room[read..];
        }
        return into.Append(filled);
    }
}

// The bytes of one batch's files, one after another in one buffer that each batch of an import
// reuses once it is parsed (what is parsed keeps copies of what it needs). Before, a batch rented
// a buffer per file before parsing any, so nearly every file allocated one (8 KiB for a 4.7 KiB
// file: IMPORT10). It grows to the largest batch read and never past `bound` unless one read asks
// for more: ImportParser asks at most its batch's byte bound plus one file at the limit.
public sealed class BatchBuffer(int bound)
{
    private byte[] _bytes = [];

    public int Used { get; private set; }

    public int Capacity => _bytes.Length;

    public int Bound => bound;

    public ReadOnlySpan<byte> this[(int Start, int Length) slice] => _bytes.AsSpan(slice.Start, slice.Length);

    public void Clear() => Used = 0;

    // Drops what was appended from `start` on (a refused file's bytes).
    public void TruncateTo(int start) => Used = Math.Min(Used, start);

    // Free space after the `filled` bytes already read past Used, at least `count` bytes of it.
    internal Memory<byte> Room(int filled, int count)
    {
        var needed = (long)Used + filled + count;
        if (needed > _bytes.Length)
        {
            // Doubling, but not past the bound unless this read needs it.
            var size = Math.Max(needed, Math.Min(_bytes.Length * 2L, Math.Max(bound, needed)));
            var larger = new byte[(int)Math.Min(size, Array.MaxLength)];
            _bytes.AsSpan(0, Used + filled).CopyTo(larger);
            _bytes = larger;
        }
        return _bytes.AsMemory(Used + filled);
    }

    internal (int Start, int Length) Append(int count)
    {
        var start = Used;
        Used += count;
        return (start, count);
    }
}
