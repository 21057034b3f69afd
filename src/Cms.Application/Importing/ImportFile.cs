using System.Buffers;

namespace Cms.Application.Importing;

// One file to import, from disk, an upload or a zip entry; opened only when its batch comes up.
// Length is what the source declares (a zip header can lie; -1 when unknown): it lets an
// over-limit file be refused without reading it, but the reader never trusts it for anything else.
public sealed record ImportFile(string Path, long Length, Func<CancellationToken, Task<Stream>> OpenAsync)
{
    private static readonly ArrayPool<byte> Buffers = ArrayPool<byte>.Create(2 * 1024 * 1024, 4);

    public static ImportFile FromBytes(string path, byte[] bytes) =>
        new(path, bytes.LongLength, _ => Task.FromResult<Stream>(new MemoryStream(bytes, writable: false)));

    // At most maxBytes + 1 bytes, whatever the declared length: the extra byte tells an
    // over-limit file apart from one exactly at the limit. The buffer is rented from a small pool
    // of its own (at most 4 buffers per size kept), so megabyte files do not each allocate a large
    // object, and what the pool keeps stays bounded; give it back with Return.
    public async Task<(byte[] Buffer, int Length)> ReadBoundedAsync(int maxBytes, CancellationToken ct)
    {
        await using var stream = await OpenAsync(ct);
        var limit = maxBytes + 1;
        var buffer = Buffers.Rent((int)Math.Clamp(Length + 1, 4096, limit));
        var filled = 0;
        try
        {
            while (filled < limit)
            {
                if (filled == buffer.Length)
                {
                    var larger = Buffers.Rent((int)Math.Min(limit, buffer.Length * 2L));
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    Buffers.Return(buffer);
                    buffer = larger;
                }
                var read = await stream.ReadAsync(buffer.AsMemory(filled, Math.Min(buffer.Length, limit) - filled), ct);
                if (read == 0)
                {
                    break;
                }
                filled += read;
            }
            return (buffer, filled);
        }
        catch
        {
            Buffers.Return(buffer);
            throw;
        }
    }

    public static void Return(byte[] buffer) => Buffers.Return(buffer);
}
