using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cms.Application.Tests.Links;

// An outlet's web site for the link checker to visit: Kestrel on a loopback address of its own
// (127.0.0.x, so each site is its own host for politeness), with the routes a test gives it. It
// records every request (method, path, Range header, the test clock's time on arrival) and the
// most requests it ever had in flight at once.
public sealed class LinkSite : IAsyncDisposable
{
    public sealed record Request(string Method, string Path, string? Range, DateTimeOffset At, string? UserAgent);

    private readonly WebApplication _app;
    private readonly TimeProvider _clock;
    private int _inFlight;

    public ConcurrentQueue<Request> Requests { get; } = new();

    public int MaxInFlight;

    public string Host { get; }

    public Uri BaseUri { get; private set; } = null!;

    private LinkSite(WebApplication app, TimeProvider clock, string host)
    {
        _app = app;
        _clock = clock;
        Host = host;
    }

    public static async Task<LinkSite> StartAsync(string address, TimeProvider clock, Action<WebApplication> routes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Parse(address), 0));
        var app = builder.Build();
        var site = new LinkSite(app, clock, address);
        app.Use(async (context, next) =>
        {
            var now = Interlocked.Increment(ref site._inFlight);
            InterlockedMax(ref site.MaxInFlight, now);
            site.Requests.Enqueue(new Request(context.Request.Method, context.Request.Path, context.Request.Headers.Range.ToString() is { Length: > 0 } r ? r : null,
                clock.GetUtcNow(), context.Request.Headers.UserAgent.ToString()));
            try
            {
                await next(context);
            }
            finally
            {
                Interlocked.Decrement(ref site._inFlight);
            }
        });
        routes(app);
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        site.BaseUri = new Uri(bound.Replace("0.0.0.0", address));
        return site;
    }

    public string Url(string path) => new Uri(BaseUri, path).AbsoluteUri;

    public IEnumerable<Request> To(string path) => Requests.Where(r => r.Path == path);

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    public static Task Html(HttpContext context, string title, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync($"<!doctype html><html><head><title>{title}</title></head><body><p>{title}</p></body></html>");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
