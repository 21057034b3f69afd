using System.Net.Http.Headers;
using Cms.Core.Links;

namespace Cms.Application.Links;

// One answer to one request, redirects not followed: what the link checker needs of HTTP.
public sealed record LinkResponse(int Status, Uri? Location, string? RetryAfter, string? ContentType, string? Body);

// The address was refused before any request (private, loopback, link-local).
public sealed class LinkRefusedException(string message) : Exception(message);

// The link checker's narrow need of outbound HTTP: one request, no redirects followed, a bounded
// body, a timeout. Tests and production compose it over their HttpMessageHandler.
public interface ILinkFetcher
{
    Task<LinkResponse> FetchAsync(HttpMethod method, Uri url, CancellationToken ct);
}

public sealed class HttpLinkFetcher(HttpMessageHandler handler, LinkCheckSettings settings) : ILinkFetcher, IDisposable
{
    private readonly HttpClient _client = new(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

    public async Task<LinkResponse> FetchAsync(HttpMethod method, Uri url, CancellationToken ct)
    {
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
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer within {settings.RequestTimeout.TotalSeconds:0.#} s");
        }
    }

    public void Dispose() => _client.Dispose();
}
