using System.Net;
using System.Net.Sockets;

namespace Cms.Testing;

// A loopback port that is free right now, for a server a test or a benchmark starts.
public static class LocalPorts
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
