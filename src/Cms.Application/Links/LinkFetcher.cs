using System.Net.Http.Headers;
using Cms.Application.Outbound;
using Cms.Core.Links;

namespace Cms.Application.Links;

// One answer to one request, redirects not followed: what the link checker needs of HTTP.
public sealed record LinkResponse(int Status, Uri? Location, string? RetryAfter, string? ContentType, string? Body);

// The address was refused before any request (private, loopback, link-local).
public sealed class LinkRefusedException(string message) : Exception(message);

// The link checker's narrow need of outbound HTTP: one request, no redirects followed, a bounded
// body, a timeout, and the shared SSRF guard (OutboundGuard) on every URL and every connection.
public interface ILinkFetcher
{
    Task<LinkResponse> FetchAsync(HttpMethod method, Uri url, CancellationToken ct);
}

public sealed class HttpLinkFetcher(LinkCheckSettings settings, OutboundOptions outbound) : ILinkFetcher, IDisposable
{
    // Every connection is checked where it is made (OutboundGuard.Handler): a host name that
    // resolves to a private address is refused too, whatever it resolved to a moment before.
    private readonly HttpClient _client = new(OutboundGuard.Handler(outbound)) { Timeout = Timeout.InfiniteTimeSpan };

    public async Task<LinkResponse> FetchAsync(HttpMethod method, Uri url, CancellationToken ct)
    {
        // Each hop of a redirect chain comes here, so a redirect to a private address is refused as well.
        if (OutboundGuard.ProblemWith(url.AbsoluteUri, outbound) is { } problem)
        {
            throw new LinkRefusedException($"{url.IdnHost} {problem}");
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.RequestTimeout);
        using var request = new HttpRequestMessage(method, url);
        request.Headers.UserAgent.ParseAdd(settings.UserAgent);
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml;q=0.9,*/*;q=0.5");
        if (method == HttpMethod.Get)
        {
            // Only the start of the page is wanted (its title).
            request.Headers.Range = new RangeHeaderValue(0, settings.MaxBodyBytes - 1);
        }
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            string? body = null;
            if (method == HttpMethod.Get)
            {
                await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
                var buffer = new byte[settings.MaxBodyBytes];
                var read = 0;
                int n;
                while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), timeout.Token)) > 0)
                {
                    read += n;
                }
                body = System.Text.Encoding.UTF8.GetString(buffer, 0, read);
            }
            var location = response.Headers.Location is { } l ? (l.IsAbsoluteUri ? l : new Uri(url, l)) : null;
            var retryAfter = response.Headers.TryGetValues("Retry-After", out var values) ? values.FirstOrDefault() : null;
            return new LinkResponse((int)response.StatusCode, location, retryAfter, response.Content.Headers.ContentType?.MediaType, body);
        }
        catch (HttpRequestException ex) when (Refusal(ex) is { } refused)
        {
            throw new LinkRefusedException(refused.Message);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer within {settings.RequestTimeout.TotalSeconds:0.#} s");
        }
    }

    private static OutboundRefusedException? Refusal(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is OutboundRefusedException refused)
            {
                return refused;
            }
        }
        return null;
    }

    public void Dispose() => _client.Dispose();
}
