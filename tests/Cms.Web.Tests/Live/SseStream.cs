using System.Threading.Channels;

namespace Cms.Web.Tests.Live;

public sealed record SseEvent(string Type, string Data, string? Id);

// A test's EventSource: reads a text/event-stream response line by line in the background and
// hands the events over in order. Waits are event-driven; the timeout is only a safety net.
public sealed class SseStream : IAsyncDisposable
{
    public static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(30);

    private readonly Channel<SseEvent> _events = Channel.CreateUnbounded<SseEvent>();
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpResponseMessage _response;
    private readonly Task _reader;

    private SseStream(HttpResponseMessage response)
    {
        _response = response;
        _reader = Task.Run(ReadAsync);
    }

    public string? LastEventId { get; private set; }

    // Completes when the server ends the stream (or the connection drops).
    public Task Ended => _reader;

    public static async Task<SseStream> OpenAsync(HttpClient client, string url, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseStream(response);
    }

    private async Task ReadAsync()
    {
        try
        {
            await using var body = await _response.Content.ReadAsStreamAsync(_stop.Token);
            using var reader = new StreamReader(body);
            string? type = null, id = null;
            var data = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Count > 0)
                    {
                        LastEventId = id ?? LastEventId;
                        _events.Writer.TryWrite(new SseEvent(type ?? "message", string.Join("\n", data), id));
                    }
                    (type, id) = (null, null);
                    data.Clear();
                }
                else if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    type = line[6..].Trim();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data.Add(line[5..].TrimStart());
                }
                else if (line.StartsWith("id:", StringComparison.Ordinal))
                {
                    id = line[3..].Trim();
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or HttpRequestException)
        {
            // The connection ended: that is what Ended reports.
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    // The next event of this type (others, such as pings, are passed over).
    public async Task<SseEvent> NextAsync(string type, Func<SseEvent, bool>? where = null)
    {
        using var timeout = new CancellationTokenSource(SafetyNet);
        try
        {
            while (await _events.Reader.WaitToReadAsync(timeout.Token))
            {
                while (_events.Reader.TryRead(out var e))
                {
                    if (e.Type == type && (where is null || where(e)))
                    {
                        return e;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"no '{type}' event within {SafetyNet.TotalSeconds} s");
        }
        Assert.Fail($"the stream ended before a '{type}' event");
        return null!;
    }

    public async Task EndedWithinSafetyNetAsync()
    {
        if (await Task.WhenAny(_reader, Task.Delay(SafetyNet)) != _reader)
        {
            Assert.Fail($"the stream was still open after {SafetyNet.TotalSeconds} s");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _response.Dispose();
        try
        {
            await _reader;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
