using Cms.Application.Live;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cms.Application.Tests.Talk;

// The hub's fan-out without sockets: who gets which signal, and that a full buffer costs only its
// own client.
public sealed class LiveHubTests
{
    private static LiveHub Hub(int buffer = 4) => new(new LiveOptions { ClientBuffer = buffer }, NullLogger<LiveHub>.Instance);

    private static List<LiveEvent> Drain(LiveClient client)
    {
        var events = new List<LiveEvent>();
        while (client.Events.TryRead(out var e))
        {
            events.Add(e);
        }
        return events;
    }

    [Fact]
    public void Signals_reach_the_person_the_item_or_the_queue_they_name()
    {
        var hub = Hub();
        var bobOnItem = hub.Connect("bob", null, itemId: 7, queue: false, abort: () => { });
        var aliceOnQueue = hub.Connect("alice", null, itemId: null, queue: true, abort: () => { });

        hub.Dispatch("n:bob:42");
        hub.Dispatch("c:7:3");
        hub.Dispatch("p:8");
        hub.Dispatch("q:99");
        hub.Dispatch("garbage");

        Assert.Equal([("notification", "42"), ("comment", null)], Drain(bobOnItem).Select(e => (e.Type, e.Id)));
        Assert.Equal(["queue"], Drain(aliceOnQueue).Select(e => e.Type));
    }

    [Fact]
    public void A_client_whose_buffer_is_full_is_cut_off_and_the_others_still_receive()
    {
        var hub = Hub(buffer: 4);
        var aborted = 0;
        var stuck = hub.Connect("bob", null, itemId: 7, queue: false, abort: () => aborted++);
        var reading = hub.Connect("carol", null, itemId: 7, queue: false, abort: () => { });
        var received = 0;

        for (var i = 1; i <= 20; i++)
        {
            hub.Dispatch($"c:7:{i}");
            received += Drain(reading).Count;
        }

        Assert.Equal(20, received);
        Assert.Equal((1L, 1), (hub.Dropped, aborted));
        Assert.Equal("fell behind", stuck.ClosedBecause);
        Assert.Null(reading.ClosedBecause);
    }

    [Fact]
    public void A_session_signal_is_handed_to_the_session_check()
    {
        var hub = Hub();
        var ended = new List<string>();
        hub.SessionEnded += ended.Add;

        hub.Dispatch("s:user-1");

        Assert.Equal(["user-1"], ended);
    }

    [Fact]
    public void Streams_beyond_the_cap_of_a_session_or_of_a_person_are_refused_and_a_closed_one_frees_its_place()
    {
        var hub = new LiveHub(new LiveOptions { MaxStreamsPerSession = 2, MaxStreamsPerUser = 3 }, NullLogger<LiveHub>.Instance);
        LiveClient? Open(string user, string session) => hub.TryConnect(user, session, itemId: null, queue: false, abort: () => { });

        var first = Open("bob", "s1");
        var second = Open("bob", "s1");
        var thirdInSession = Open("bob", "s1");
        var otherSession = Open("bob", "s2");
        var beyondPerson = Open("bob", "s3");
        var someoneElse = Open("carol", "s9");
        hub.Disconnect(first!);
        var afterClose = Open("bob", "s1");

        Assert.NotNull(second);
        Assert.NotNull(otherSession);
        Assert.Null(thirdInSession);
        Assert.Null(beyondPerson);
        Assert.NotNull(someoneElse);
        Assert.NotNull(afterClose);
        Assert.Equal(4, hub.Count);
    }
}
