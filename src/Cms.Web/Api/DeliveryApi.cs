using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Cms.Application.Delivery;
using Cms.Web.Infrastructure;
using Microsoft.Net.Http.Headers;

namespace Cms.Web.Api;

// The read API and feeds for consuming sites (README, "Delivery"): bearer tokens of `./cms sites`,
// no cookies, no sessions. Every answer carries an ETag; a matching If-None-Match gets 304.
public static class DeliveryApi
{
    public const string Prefix = "/api/v1";
    public const string SiteItem = "cms.site";

    public static void MapDeliveryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Prefix).AllowAnonymous().AddEndpointFilter(RequireToken);
        api.MapGet("/published", ListAsync);
        api.MapGet("/published/{id:long}", OneAsync);
        // The feeds' HTML is written with the encoder the pages use (HtmlEncoding, from the services).
        api.MapGet("/feeds/atom", (HttpContext http, PublishedQuery query, IExcerptSanitizer sanitizer, HtmlEncoder encoder, CancellationToken ct) =>
            Feeds.AtomAsync(http, query, sanitizer, encoder, ct));
        api.MapGet("/feeds/json", (HttpContext http, PublishedQuery query, IExcerptSanitizer sanitizer, HtmlEncoder encoder, CancellationToken ct) =>
            Feeds.JsonAsync(http, query, sanitizer, encoder, ct));
    }

    // The token is checked before anything is read; a refusal is audited once per token, client and hour,
    // and a bounded number of times per client and hour (DeliverySites.RefusedAsync).
    private static async ValueTask<object?> RequireToken(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        var sites = http.RequestServices.GetRequiredService<DeliverySites>();
        if (await sites.AuthenticateAsync(token, http.RequestAborted) is not { } site)
        {
            await sites.RefusedAsync(Actors.Of(http), Actors.ClientOf(http), token, http.Request.Path, http.RequestAborted);
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"cms\"";
            return Results.Json(new { error = token is null ? "a bearer token is required" : "the token is unknown, expired or revoked" },
                statusCode: StatusCodes.Status401Unauthorized);
        }
        if (http.RequestServices.GetRequiredService<DeliveryRateLimits>().Refusal(http, token!) is { } refused)
        {
            return refused;
        }
        http.Items[SiteItem] = site;
        return await next(context);
    }

    private static async Task<IResult> ListAsync(HttpContext http, PublishedQuery query, string? after, int? limit, CancellationToken ct)
    {
        if (!PublishedQuery.TryParseCursor(after, out var from))
        {
            return Problem("after: not a cursor from this API");
        }
        if (limit is < 1 or > PublishedQuery.MaxPage)
        {
            return Problem($"limit: between 1 and {PublishedQuery.MaxPage}");
        }
        var take = limit ?? PublishedQuery.DefaultPage;
        var entries = await query.AfterAsync(from, take, ct);
        var next = entries.Count > 0 ? PublishedQuery.Cursor(entries[^1].Seq) : PublishedQuery.Cursor(from);
        var body = Json(json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("items");
            foreach (var e in entries)
            {
                DeliveryJson.WriteEntry(json, e.Id, e.Version, e.Withdrawn, e.ChangedAt, e.Document, PublishedQuery.Cursor(e.Seq));
            }
            json.WriteEndArray();
            json.WriteString("next", next);
            json.WriteString("nextUrl", $"{Prefix}/published?after={next}{(limit is null ? "" : $"&limit={take}")}");
            // A short page means the mirror has caught up: poll the next URL later.
            json.WriteBoolean("more", entries.Count == take);
            json.WriteEndObject();
        });
        return Conditional(http, body, "application/json; charset=utf-8", null);
    }

    private static async Task<IResult> OneAsync(HttpContext http, PublishedQuery query, long id, CancellationToken ct)
    {
        if (await query.OneAsync(id, ct) is not { } e)
        {
            return Results.Json(new { error = $"item {id} has not been published" }, statusCode: StatusCodes.Status404NotFound);
        }
        var body = Json(json => DeliveryJson.WriteEntry(json, e.Id, e.Version, e.Withdrawn, e.ChangedAt, e.Document));
        return Conditional(http, body, "application/json; charset=utf-8", e.ChangedAt);
    }

    private static IResult Problem(string message) => Results.Json(new { error = message }, statusCode: StatusCodes.Status400BadRequest);

    public static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }
        return buffer.ToArray();
    }

    // A strong ETag of the exact bytes; If-None-Match with it (or If-Modified-Since no older than
    // lastModified) answers 304 without a body.
    public static IResult Conditional(HttpContext http, byte[] body, string contentType, DateTimeOffset? lastModified)
    {
        var etag = new EntityTagHeaderValue("\"" + Convert.ToHexStringLower(SHA256.HashData(body))[..32] + "\"");
        var response = http.Response;
        var headers = response.GetTypedHeaders();
        headers.ETag = etag;
        headers.CacheControl = new CacheControlHeaderValue { Private = true, NoCache = true };
        if (lastModified is { } modified)
        {
            headers.LastModified = modified;
        }
        var request = http.Request.GetTypedHeaders();
        var notModified = request.IfNoneMatch is { Count: > 0 } match
            ? match.Any(m => m.Equals(EntityTagHeaderValue.Any) || m.Compare(etag, useStrongComparison: false))
            : lastModified is { } lm && request.IfModifiedSince is { } since && lm < since.AddSeconds(1);
        return notModified ? Results.StatusCode(StatusCodes.Status304NotModified) : Results.Bytes(body, contentType);
    }
}
