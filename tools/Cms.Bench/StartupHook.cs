using System.Net.Sockets;
using System.Text;
using Cms.Bench;

// Runs in the app's process before its Main when AppProcess sets DOTNET_STARTUP_HOOKS to this
// assembly (the runtime looks for a type of exactly this name, outside any namespace). One
// background thread answers AppGc's socket; nothing else in the app changes.
#pragma warning disable CA1050
internal static class StartupHook
#pragma warning restore CA1050
{
    public static void Initialize()
    {
        var path = Environment.GetEnvironmentVariable(AppGc.SocketVariable);
        if (string.IsNullOrEmpty(path))
        {
            return;
        }
        var pauses = new AppGc.Pauses();
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(4);
        new Thread(() =>
        {
            while (true)
            {
                using var client = listener.Accept();
                // A bench that goes away mid-answer must not end the app it measures (an exception
                // on this thread would).
                try
                {
                    var ask = new byte[1];
                    client.Receive(ask);
                    client.Send(Encoding.UTF8.GetBytes(ask[0] switch { (byte)'s' => AppGc.Settings(), (byte)'p' => pauses.Take(), _ => AppGc.Line() }));
                }
                catch (SocketException)
                {
                }
            }
        })
        { IsBackground = true, Name = "bench GC probe" }.Start();
    }
}
