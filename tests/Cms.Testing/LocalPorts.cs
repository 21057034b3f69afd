using System.Net;
using System.Net.Sockets;

namespace Cms.Testing;

// A loopback port that is free right now, for a server a test or a benchmark starts. The kernel may
// hand the same ephemeral port to two calls once the first listener is closed, and a fixture that
// asks twice before starting either server would then give both the same port: ports handed out
// are remembered for the process's life.
public static class LocalPorts
{
    private static readonly HashSet<int> _issued = [];

    public static int Free()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (_issued)
            {
                if (_issued.Add(port))
                    return port;
            }
        }
    }
}
