namespace Cms.Application.Importing;

// One file to import, from disk, an upload or a zip entry; opened only when its batch comes up.
// Length is what the source declares (a zip header can lie; -1 when unknown): it lets an
// over-limit file be refused without reading it, but the reader never trusts it for anything else.
public sealed record ImportFile(string Path, long Length, Func<CancellationToken, Task<Stream>> OpenAsync)
{
    public static ImportFile FromBytes(string path, byte[] bytes) =>
        new(path, bytes.LongLength, _ => Task.FromResult<Stream>(new MemoryStream(bytes, writable: false)));

    // At most maxBytes + 1 bytes, whatever the declared length: the extra byte tells an
    // over-limit file apart from one exactly at the limit.
    public async Task<byte[]> ReadBoundedAsync(int maxBytes, CancellationToken ct)
    {
        await using var stream = await OpenAsync(ct);
        var limit = maxBytes + 1;
        var buffer = new byte[(int)Math.Clamp(Length, 4096, limit)];
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (buffer.Length == limit)
                {
                    break;
                }
                Array.Resize(ref buffer, (int)Math.Min(limit, buffer.Length * 2L));
            }
            var read = await stream.ReadAsync(buffer.AsMemory(filled), ct);
            if (read == 0)
            {
                break;
            }
            filled += read;
        }
        if (filled != buffer.Length)
        {
            Array.Resize(ref buffer, filled);
        }
        return buffer;
    }
}
