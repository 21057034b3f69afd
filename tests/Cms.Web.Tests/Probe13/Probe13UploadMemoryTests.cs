using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Cms.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Cms.Web.Tests.Probe13;

// PROBE13 evidence: an upload's zip is opened with ZipArchive, which reads its whole central
// directory into one object per entry before the first entry is looked at. A zip of empty entries
// costs ~78 bytes an entry on the wire and several hundred bytes an entry in the app, so one
// editor's upload under the 200 MB request limit holds far more than the 300 MB over idle that
// UploadMemoryTests allows all uploads (measured by hand: 1,000,000 entries, 78 MB, +377 MiB VmHWM).
public sealed class Probe13UploadMemoryTests(ITestOutputHelper output)
{
    private const string AdminEmail = "probe13-memory@example.com";
    private const string AdminPassword = "a long admin password";
    private const long BudgetKiB = 300 * 1024;
    private const int Entries = 2_000_000;

    [Fact]
    public async Task A_zip_of_two_million_empty_entries_keeps_the_peak_within_300_MB_over_idle()
    {
        var zipPath = Path.Combine(Path.GetTempPath(), $"probe13-many-{Guid.NewGuid():N}.zip");
        WriteManyEntryZip(zipPath, Entries);
        var database = await TestPostgres.CreateDatabaseAsync(migrated: false);
        var port = LocalPorts.Free();
        var env = new Dictionary<string, string?> { ["ConnectionStrings__Cms"] = database };
        using var process = Process.Start(Repo.Cms(new Dictionary<string, string?>(env)
        {
            ["CMS_URLS"] = $"http://127.0.0.1:{port}",
            ["CMS_ADMIN_EMAIL"] = AdminEmail,
            ["CMS_ADMIN_PASSWORD"] = AdminPassword,
            ["Security__RequireTwoFactorForAdmins"] = "false",
        }, "run"))!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"),
                Timeout = TimeSpan.FromMinutes(10),
            };
            await WaitUntilServingAsync(client, process);
            var pid = AppPid(process.Id);
            const string editor = "probe13-memory-editor@example.com";
            var added = await Repo.RunCmsWithInputAsync(env, AdminPassword, "users", "add", editor, "--role", Roles.Editor, "--password-stdin");
            Assert.True(added.ExitCode == 0, added.Errors);
            Assert.Equal(HttpStatusCode.Redirect, (await Http.SignInAsync(client, editor, AdminPassword)).StatusCode);
            await client.GetStringAsync("/Import");
            var idle = Status(pid, "VmHWM");

            await using var file = File.OpenRead(zipPath);
            var content = new StreamContent(file);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
            var response = await Uploads.UploadAsync(client, ("many.zip", content));
            var peak = Status(pid, "VmHWM");

            output.WriteLine($"zip {new FileInfo(zipPath).Length / 1024 / 1024} MiB, {Entries:N0} entries; answer {(int)response.StatusCode}; idle VmHWM {idle / 1024} MiB, after {peak / 1024} MiB");
            Assert.True(peak - idle < BudgetKiB, $"peak {peak / 1024} MiB is {(peak - idle) / 1024} MiB over idle ({idle / 1024} MiB)");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            await TestPostgres.DropDatabaseAsync(database);
            File.Delete(zipPath);
        }
    }

    // Stored, empty entries named "a" (no item extension, so the import reads none of them), with
    // a ZIP64 end record for the entry count; written directly, without ZipArchive's own per-entry cost.
    private static void WriteManyEntryZip(string path, int count)
    {
        using var output = new BufferedStream(File.Create(path), 1 << 20);
        Span<byte> local = stackalloc byte[31];
        BinaryPrimitives.WriteUInt32LittleEndian(local, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(local[4..], 20);
        BinaryPrimitives.WriteUInt16LittleEndian(local[12..], 0x21); // 1980-01-01
        BinaryPrimitives.WriteUInt16LittleEndian(local[26..], 1);
        local[30] = (byte)'a';
        for (var i = 0; i < count; i++)
        {
            output.Write(local);
        }
        long directoryStart = (long)count * local.Length;
        Span<byte> central = stackalloc byte[47];
        BinaryPrimitives.WriteUInt32LittleEndian(central, 0x02014b50);
        BinaryPrimitives.WriteUInt16LittleEndian(central[4..], 20);
        BinaryPrimitives.WriteUInt16LittleEndian(central[6..], 20);
        BinaryPrimitives.WriteUInt16LittleEndian(central[14..], 0x21);
        BinaryPrimitives.WriteUInt16LittleEndian(central[28..], 1);
        central[46] = (byte)'a';
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(central[42..], (uint)((long)i * local.Length));
            output.Write(central);
        }
        long directorySize = (long)count * central.Length;
        var zip64End = directoryStart + directorySize;
        Span<byte> end64 = stackalloc byte[56];
        BinaryPrimitives.WriteUInt32LittleEndian(end64, 0x06064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(end64[4..], 44);
        BinaryPrimitives.WriteUInt16LittleEndian(end64[12..], 45);
        BinaryPrimitives.WriteUInt16LittleEndian(end64[14..], 45);
        BinaryPrimitives.WriteUInt64LittleEndian(end64[24..], (ulong)count);
        BinaryPrimitives.WriteUInt64LittleEndian(end64[32..], (ulong)count);
        BinaryPrimitives.WriteUInt64LittleEndian(end64[40..], (ulong)directorySize);
        BinaryPrimitives.WriteUInt64LittleEndian(end64[48..], (ulong)directoryStart);
        output.Write(end64);
        Span<byte> locator = stackalloc byte[20];
        BinaryPrimitives.WriteUInt32LittleEndian(locator, 0x07064b50);
        BinaryPrimitives.WriteUInt64LittleEndian(locator[8..], (ulong)zip64End);
        BinaryPrimitives.WriteUInt32LittleEndian(locator[16..], 1);
        output.Write(locator);
        Span<byte> end = stackalloc byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], 0xFFFF);
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], 0xFFFF);
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], 0xFFFFFFFF);
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], 0xFFFFFFFF);
        output.Write(end);
    }

    private static int AppPid(int scriptPid)
    {
        static bool IsApp(int pid) => File.Exists($"/proc/{pid}/cmdline") && File.ReadAllText($"/proc/{pid}/cmdline").Contains("Cms.Web.dll");
        if (IsApp(scriptPid))
        {
            return scriptPid;
        }
        return Directory.EnumerateDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var p) ? p : 0)
            .Single(p => p > 0 && IsApp(p) && File.ReadAllText($"/proc/{p}/stat").Split(' ')[3] == scriptPid.ToString());
    }

    private static long Status(int pid, string key) =>
        long.Parse(File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith(key + ":")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);

    private static async Task WaitUntilServingAsync(HttpClient client, Process process)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            Assert.False(process.HasExited, "./cms run exited early");
            try
            {
                if ((await client.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            Assert.True(DateTime.UtcNow < deadline, "./cms run did not serve within 3 minutes");
            await Task.Delay(250);
        }
    }
}
