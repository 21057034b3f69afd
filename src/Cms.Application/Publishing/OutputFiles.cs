using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Cms.Application.Publishing;

// The publish folder's file operations. A write is atomic: a new temporary file in the same folder,
// flushed to disk, then renamed over the target, so a reader never sees half a file and a crash
// leaves the old version or the new one. Writing the same content again is harmless, which is what
// makes a retry after a crash between the write and the commit produce the file exactly once.
public static class OutputFiles
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    // What a temporary name adds to the output name: "." + name + "." + 12 random hex digits + ".tmp".
    public const int TempNameOverhead = 1 + 1 + 12 + 4;

    // Linux and most file systems allow 255 bytes per name; the temporary name must fit too.
    public const int MaxNameBytes = 255 - TempNameOverhead;

    // Returns the SHA-256 (hex) of the bytes written.
    public static async Task<string> WriteAsync(string folder, string name, string text, CancellationToken ct)
    {
        var path = PathOf(folder, name);
        Directory.CreateDirectory(folder);
        var bytes = Utf8.GetBytes(text);
        // A random temporary name, created with O_CREAT|O_EXCL (FileMode.CreateNew): whatever
        // stands at a name (a symlink planted by someone who can write to the folder) is never
        // opened or followed; the rename then replaces the target name itself, never a link's target.
        var (temp, stream) = CreateTemporary(folder, name);
        try
        {
            await using (stream)
            {
                await stream.WriteAsync(bytes, ct);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    private static (string Path, FileStream Stream) CreateTemporary(string folder, string name)
    {
        for (var attempt = 1; ; attempt++)
        {
            var temp = Path.Combine(folder, $".{name}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.tmp");
            try
            {
                return (temp, new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous));
            }
            catch (IOException) when (attempt < 5)
            {
                // The name is taken (48 random bits: only by someone planting names); draw another.
            }
        }
    }

    // Returns whether there was a file to remove.
    public static bool Remove(string folder, string name)
    {
        var path = PathOf(folder, name);
        // A symlink standing at the name is removed itself (unlink never follows it).
        var file = new FileInfo(path);
        if (!file.Exists && file.LinkTarget is null)
        {
            return false;
        }
        File.Delete(path);
        return true;
    }

    // Makes the renames durable: on Linux a rename is only on disk once its folder is synced.
    public static void SyncFolder(string folder)
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists(folder))
        {
            return;
        }
        var fd = Open(folder, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            return;
        }
        try
        {
            _ = Fsync(fd);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static string PathOf(string folder, string name) =>
        name.Length > 0 && Path.GetFileName(name) == name && name is not "." and not ".."
            ? Path.Combine(folder, name)
            : throw new ArgumentException($"'{name}' is not a plain file name", nameof(name));

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
