namespace Cms.Application.Importing;

// One file to import, from disk, an upload or a zip entry; read only when its batch comes up.
public sealed record ImportFile(string Path, long Length, Func<CancellationToken, Task<byte[]>> ReadAsync);
