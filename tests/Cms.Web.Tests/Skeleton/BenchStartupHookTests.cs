using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Cms.Bench;

namespace Cms.Web.Tests.Skeleton;

// The queue bench's startup hook runs inside the app it measures: a bench that goes away before
// the answer must not end that app (an exception on the hook's thread would end its process).
public sealed class BenchStartupHookTests
{
    [Fact]
    public async Task The_bench_probe_keeps_answering_after_a_client_left_before_its_answer()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cms-hook-{Guid.NewGuid():N}.sock");
        Environment.SetEnvironmentVariable(AppGc.SocketVariable, path);
        try
        {
            typeof(AppGc).Assembly.GetType("StartupHook", throwOnError: true)!
                .GetMethod("Initialize", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, null);
        }
        finally
        {
            Environment.SetEnvironmentVariable(AppGc.SocketVariable, null);
        }
        try
        {
            // Clients that leave without a word: the probe reads end of stream, then answers a
            // closed socket (EPIPE). At most three at a time: the probe's backlog is four.
            for (var i = 0; i < 3; i++)
            {
                using var gone = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await gone.ConnectAsync(new UnixDomainSocketEndPoint(path));
                gone.Close();
            }
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await client.ConnectAsync(new UnixDomainSocketEndPoint(path));
            await client.SendAsync(new byte[] { (byte)'s' });
            var buffer = new byte[4096];
            var read = await client.ReceiveAsync(buffer);
            Assert.Contains("ServerGC", Encoding.UTF8.GetString(buffer, 0, read), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
