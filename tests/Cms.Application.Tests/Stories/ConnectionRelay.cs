using System.Net;
using System.Net.Sockets;

namespace Cms.Application.Tests.Stories;

// A TCP relay to the shared cluster whose client side of one connection can be cut while the
// server side stays open (the connection lost between Npgsql and the server).
internal sealed class ConnectionRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<(TcpClient Client, TcpClient Server)> _pairs = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly int _targetPort;

    public ConnectionRelay(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            var server = new TcpClient();
            await server.ConnectAsync(IPAddress.Loopback, _targetPort);
            lock (_pairs)
            {
                _pairs.Add((client, server));
            }
            _ = PumpAsync(client.GetStream(), server.GetStream());
            _ = PumpAsync(server.GetStream(), client.GetStream());
        }
    }

    private static async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16384];
        try
        {
            while (true)
            {
                var n = await from.ReadAsync(buffer);
                if (n == 0)
                {
                    return;
                }
                await to.WriteAsync(buffer.AsMemory(0, n));
            }
        }
        catch (Exception)
        {
            // One side gone: the other is left as it is.
        }
    }

    // Cuts the client side of the connection whose server-facing local port is `port`.
    public bool CutClientOf(int port)
    {
        lock (_pairs)
        {
            foreach (var (client, server) in _pairs)
            {
                if (((IPEndPoint)server.Client.LocalEndPoint!).Port == port)
                {
                    client.Client.LingerState = new LingerOption(true, 0);
                    client.Client.Close();
                    return true;
                }
            }
        }
        return false;
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_pairs)
        {
            foreach (var (client, server) in _pairs)
            {
                client.Dispose();
                server.Dispose();
            }
        }
        return ValueTask.CompletedTask;
    }
}
