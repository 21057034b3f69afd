using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Cms.Application.Live;

// One event for one browser: an SSE event type, its JSON data (ids only) and, for inbox entries,
// the id a reconnecting browser sends back as Last-Event-ID.
public sealed record LiveEvent(string Type, string Data, string? Id = null);

// One open live connection. Its buffer is bounded: the hub only ever offers an event (never waits),
// and a client whose buffer is full is closed, so a slow or stuck browser costs its own connection
// and nothing else.
public sealed class LiveClient
{
    private readonly Channel<LiveEvent> _events;
    private readonly Action _abort;
    private int _closed;

    internal LiveClient(string userId, string? sessionId, long? itemId, bool queue, int buffer, Action abort)
    {
        UserId = userId;
        SessionId = sessionId;
        ItemId = itemId;
        Queue = queue;
        _abort = abort;
        _events = Channel.CreateBounded<LiveEvent>(new BoundedChannelOptions(buffer)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public Guid Id { get; } = Guid.NewGuid();
    public string UserId { get; }
    public string? SessionId { get; }
    public long? ItemId { get; }
    public bool Queue { get; }
    public string? ClosedBecause { get; private set; }

    public ChannelReader<LiveEvent> Events => _events.Reader;

    internal bool Offer(LiveEvent e) => _events.Writer.TryWrite(e);

    // Ends the stream: a last event for the browser when there is room, then the connection is
    // aborted, which also frees a writer stuck on a socket the browser no longer reads.
    // False when it was closed already.
    internal bool Close(string why, LiveEvent? last = null)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return false;
        }
        ClosedBecause = why;
        if (last is not null)
        {
            _events.Writer.TryWrite(last);
        }
        _events.Writer.TryComplete();
        if (last is null)
        {
            _abort();
        }
        return true;
    }
}

// The instance's fan-out: one LISTEN connection (LiveService) hands every signal here, and the hub
// offers it to the local clients it concerns (the person's, the item's, the queue's). Nothing here
// is needed by another instance: the signals come from PostgreSQL, the state they point to is in
// PostgreSQL.
public sealed class LiveHub(LiveOptions options, ILogger<LiveHub> log)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, LiveClient> _clients = [];
    private readonly Dictionary<string, HashSet<LiveClient>> _byUser = new(StringComparer.Ordinal);
    private readonly Dictionary<long, HashSet<LiveClient>> _byItem = [];
    private long _dropped;

    // Distinguishes instances in the presence table (two hosts may share a process in tests).
    public string Instance { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _clients.Count;
            }
        }
    }

    // Clients closed because their buffer was full.
    public long Dropped => Interlocked.Read(ref _dropped);

    // Someone's session ended: the service checks that person's connections against the sessions.
    public event Action<string>? SessionEnded;

    public LiveClient Connect(string userId, string? sessionId, long? itemId, bool queue, Action abort) =>
        TryConnect(userId, sessionId, itemId, queue, abort) ?? throw new InvalidOperationException($"{userId} holds too many live streams.");

    // Null when the person already holds MaxStreamsPerUser streams on this instance, or their
    // session MaxStreamsPerSession (checked and added under one lock, so parallel opens cannot pass).
    public LiveClient? TryConnect(string userId, string? sessionId, long? itemId, bool queue, Action abort)
    {
        var client = new LiveClient(userId, sessionId, itemId, queue, options.ClientBuffer, abort);
        lock (_gate)
        {
            if (_byUser.TryGetValue(userId, out var own)
                && (own.Count >= options.MaxStreamsPerUser || own.Count(c => c.SessionId == sessionId) >= options.MaxStreamsPerSession))
            {
                return null;
            }
            _clients.Add(client.Id, client);
            Index(_byUser, userId, client);
            if (itemId is { } item)
            {
                Index(_byItem, item, client);
            }
        }
        return client;
    }

    public void Disconnect(LiveClient client)
    {
        lock (_gate)
        {
            _clients.Remove(client.Id);
            Unindex(_byUser, client.UserId, client);
            if (client.ItemId is { } item)
            {
                Unindex(_byItem, item, client);
            }
        }
    }

    public IReadOnlyList<LiveClient> Snapshot()
    {
        lock (_gate)
        {
            return [.. _clients.Values];
        }
    }

    public IReadOnlyList<LiveClient> OfUser(string userId)
    {
        lock (_gate)
        {
            return _byUser.TryGetValue(userId, out var set) ? [.. set] : [];
        }
    }

    // A signal from the channel, routed by what it names; a malformed one is ignored.
    public void Dispatch(string payload)
    {
        if (LiveSignal.Parse(payload) is not { } signal)
        {
            log.LogWarning("live: ignored a malformed signal ({Length} characters)", payload.Length);
            return;
        }
        var item = signal.ItemId.ToString(CultureInfo.InvariantCulture);
        switch (signal.Kind)
        {
            case 'n' when signal.Id > 0:
                ToUser(signal.Key, new LiveEvent("notification", $"{{\"id\":{signal.Id}}}", signal.Id.ToString(CultureInfo.InvariantCulture)));
                break;
            case 'n':
                ToUser(signal.Key, new LiveEvent("inbox", "{}"));
                break;
            case 'c':
                ToItem(signal.ItemId, new LiveEvent("comment", $"{{\"item\":{item},\"comment\":{signal.Id}}}"));
                break;
            case 'i':
                ToItem(signal.ItemId, new LiveEvent("item", $"{{\"item\":{item}}}"));
                break;
            case 'a':
                ToItem(signal.ItemId, new LiveEvent("assignment", $"{{\"item\":{item}}}"));
                break;
            case 'p':
                ToItem(signal.ItemId, new LiveEvent("presence", $"{{\"item\":{item}}}"));
                break;
            case 'q':
                ToQueue(new LiveEvent("queue", $"{{\"newest\":{item}}}"));
                break;
            case 's':
                SessionEnded?.Invoke(signal.Key);
                break;
        }
    }

    // To every client: a keep-alive, or "you may have missed something" after the LISTEN connection
    // was lost and restored.
    public void Broadcast(LiveEvent e) => Offer(Snapshot(), e);

    private void ToUser(string userId, LiveEvent e) => Offer(OfUser(userId), e);

    private void ToItem(long itemId, LiveEvent e)
    {
        LiveClient[] targets;
        lock (_gate)
        {
            targets = _byItem.TryGetValue(itemId, out var set) ? [.. set] : [];
        }
        Offer(targets, e);
    }

    private void ToQueue(LiveEvent e) => Offer(Snapshot().Where(c => c.Queue).ToList(), e);

    private void Offer(IReadOnlyList<LiveClient> clients, LiveEvent e)
    {
        foreach (var client in clients)
        {
            if (!client.Offer(e) && client.Close("fell behind"))
            {
                Interlocked.Increment(ref _dropped);
            }
        }
    }

    private static void Index<TKey>(Dictionary<TKey, HashSet<LiveClient>> index, TKey key, LiveClient client) where TKey : notnull
    {
        if (!index.TryGetValue(key, out var set))
        {
            index[key] = set = [];
        }
        set.Add(client);
    }

    private static void Unindex<TKey>(Dictionary<TKey, HashSet<LiveClient>> index, TKey key, LiveClient client) where TKey : notnull
    {
        if (index.TryGetValue(key, out var set) && set.Remove(client) && set.Count == 0)
        {
            index.Remove(key);
        }
    }
}
