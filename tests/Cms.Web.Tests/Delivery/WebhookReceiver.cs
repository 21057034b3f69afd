using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;

namespace Cms.Web.Tests.Delivery;

// A real HTTP receiver on 127.0.0.1 (Kestrel on a free port) that answers from a script and keeps
// every request. Signatures are checked with the StandardWebhooks library (the specification's
// reference algorithm), not with the CMS's own signing code.
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string Id, string Timestamp, string Signature, string Body, int Status, IReadOnlyList<string> VerifiedWith, DateTimeOffset At)
    {
        // The order of arrival (a held request is recorded only when it ends, maybe after a later one).
        public long Arrival { get; init; }
    }

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task<int>>> _script = new();
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WebhookReceiver(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    // Secrets whose signatures are checked (by name, for the rotation test).
    public ConcurrentDictionary<string, string> Secrets { get; } = new();

    public IReadOnlyList<Received> Requests => [.. _received.OrderBy(r => r.Arrival)];

    private long _arrivals;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", receiver.HandleAsync);
        await app.StartAsync();
        receiver.Url = app.Urls.Single() + "/hook";
        return receiver;
    }

    // The next requests' answers, in order; after the script, 200.
    public void Then(Func<HttpContext, Task<int>> answer) => _script.Enqueue(answer);

    public void ThenStatus(int status, string? retryAfter = null) => Then(http =>
    {
        if (retryAfter is not null)
        {
            http.Response.Headers.RetryAfter = retryAfter;
        }
        return Task.FromResult(status);
    });

    // Holds the request until the client gives up (its timeout) or the receiver is disposed;
    // `arrived` gets the request's webhook-id when it is in, e.g. to move the sender's clock past its
    // timeout or to tell the test which message is held.
    public void ThenNoAnswer(Action<string>? arrived = null) => Then(async http =>
    {
        arrived?.Invoke(http.Request.Headers["webhook-id"].ToString());
        await Task.WhenAny(_release.Task, Task.Delay(Timeout.Infinite, http.RequestAborted)).ContinueWith(_ => { });
        return 504;
    });

    // Lets every held request go (each is answered 504), as disposing does.
    public void Release() => _release.TrySetResult();

    // Answers with this status and exactly this body.
    public void ThenBody(int status, string body) => Then(async http =>
    {
        http.Response.StatusCode = status;
        await http.Response.WriteAsync(body);
        return status;
    });

    public void ThenRedirect(string to) => Then(http =>
    {
        http.Response.Headers.Location = to;
        return Task.FromResult(307);
    });

    private async Task HandleAsync(HttpContext http)
    {
        var arrival = Interlocked.Increment(ref _arrivals);
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync();
        // Each signature of the header on its own: StandardWebhooks 1.1.2's Verify compares every
        // signature after the first against the whole header, so a second signature never matches there.
        var signatures = http.Request.Headers["webhook-signature"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var verified = Secrets.Where(s => signatures.Any(signature =>
        {
            var headers = new HeaderDictionary
            {
                ["webhook-id"] = http.Request.Headers["webhook-id"],
                ["webhook-timestamp"] = http.Request.Headers["webhook-timestamp"],
                ["webhook-signature"] = signature,
            };
            try
            {
                new StandardWebhook(s.Value).Verify(body, headers);
                return true;
            }
            catch (Exception)
            {
                return false;
            }
        })).Select(s => s.Key).ToList();
        var status = _script.TryDequeue(out var answer) ? await answer(http) : 200;
        _received.Enqueue(new Received(http.Request.Headers["webhook-id"].ToString(), http.Request.Headers["webhook-timestamp"].ToString(),
            http.Request.Headers["webhook-signature"].ToString(), body, status, verified, DateTimeOffset.UtcNow) { Arrival = arrival });
        if (!http.RequestAborted.IsCancellationRequested && !http.Response.HasStarted)
        {
            http.Response.StatusCode = status;
            await http.Response.WriteAsync(status < 300 ? "ok" : $"answer {status}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _release.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
