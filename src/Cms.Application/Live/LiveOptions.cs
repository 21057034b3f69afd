using Microsoft.Extensions.Configuration;

namespace Cms.Application.Live;

// Live:* settings. ClientBuffer bounds what one browser may have waiting: a client that falls that
// far behind is disconnected (it reconnects and catches up from its inbox), so it never holds up
// the others or grows the instance's memory.
public sealed class LiveOptions
{
    public int ClientBuffer { get; init; } = 256;
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(5);

    // A presence row not refreshed for this long belongs to an instance that died: any instance
    // removes it, and the people on that item see the change.
    public TimeSpan PresenceTtl { get; init; } = TimeSpan.FromSeconds(20);

    // The kernel's send buffer of a live connection's socket (SO_SNDBUF; Linux doubles it). A stream
    // carries a few hundred bytes a minute, so a small fixed buffer is plenty; left to autotuning,
    // a browser that stops reading could park megabytes in the kernel before its own buffer fills.
    public int SocketSendBuffer { get; init; } = 32 * 1024;

    // Events a reconnecting browser is sent from its inbox; beyond that it is told to reload its count.
    public int CatchUp { get; init; } = 50;

    // Streams one sign-in session, and one person over all their sessions, may hold open on an
    // instance; beyond, a new stream is refused (429) so nobody can tie up the instance's sockets.
    public int MaxStreamsPerSession { get; init; } = 20;
    public int MaxStreamsPerUser { get; init; } = 50;

    public static LiveOptions From(IConfiguration configuration)
    {
        var s = configuration.GetSection("Live");
        // The defaults are the initializers above, written once.
        var d = new LiveOptions();
        var options = new LiveOptions
        {
            ClientBuffer = s.GetValue("ClientBuffer", d.ClientBuffer),
            Heartbeat = TimeSpan.FromSeconds(s.GetValue("HeartbeatSeconds", d.Heartbeat.TotalSeconds)),
            PresenceTtl = TimeSpan.FromSeconds(s.GetValue("PresenceTtlSeconds", d.PresenceTtl.TotalSeconds)),
            CatchUp = s.GetValue("CatchUp", d.CatchUp),
            SocketSendBuffer = s.GetValue("SocketSendBuffer", d.SocketSendBuffer),
            MaxStreamsPerSession = s.GetValue("MaxStreamsPerSession", d.MaxStreamsPerSession),
            MaxStreamsPerUser = s.GetValue("MaxStreamsPerUser", d.MaxStreamsPerUser),
        };
        if (options.ClientBuffer < 4 || options.Heartbeat <= TimeSpan.Zero || options.PresenceTtl < options.Heartbeat * 2 || options.CatchUp < 1
            || options.MaxStreamsPerSession < 1 || options.MaxStreamsPerUser < options.MaxStreamsPerSession)
        {
            throw new InvalidOperationException("Live settings: ClientBuffer >= 4, HeartbeatSeconds > 0, PresenceTtlSeconds >= 2 x HeartbeatSeconds, CatchUp >= 1, MaxStreamsPerUser >= MaxStreamsPerSession >= 1.");
        }
        return options;
    }
}
