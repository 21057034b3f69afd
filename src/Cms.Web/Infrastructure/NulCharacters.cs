using Microsoft.Extensions.Primitives;

namespace Cms.Web.Infrastructure;

// PostgreSQL text cannot hold U+0000, so a NUL in any query or form value would reach the database
// as an error and a 500 (sign-in names, user ids, filters). No field legitimately holds one, so it
// is refused here, once, for every page. Multipart bodies are left to the upload, which streams them.
public static class NulCharacters
{
    public const string Message = "The request contains a NUL character (U+0000), which no field accepts.";

    public static IApplicationBuilder UseNulRefusal(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        var refused = request.QueryString.HasValue && Contains(request.Query);
        if (!refused && request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
        {
            try
            {
                refused = Contains(await request.ReadFormAsync(context.RequestAborted));
            }
            catch (InvalidDataException)
            {
                // The decoder itself refuses an encoded NUL (%00) ("The form value contains
                // invalid characters"): the same answer, not an exception that the error page,
                // reading the same form again, would throw a second time.
                refused = true;
            }
        }
        if (refused)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(Message, context.RequestAborted);
            return;
        }
        await next();
    });

    private static bool Contains(IEnumerable<KeyValuePair<string, StringValues>> values) =>
        values.Any(p => p.Key.Contains('\0') || p.Value.Any(v => v?.Contains('\0') == true));
}
