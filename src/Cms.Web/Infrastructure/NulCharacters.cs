using Microsoft.Extensions.Primitives;

namespace Cms.Web.Infrastructure;

// PostgreSQL text cannot hold U+0000, so a NUL in a query value would reach the database as an
// error and a 500 (user ids, filters), and ASP.NET's own form reader throws on one in a form body
// (sign-in forms). No field legitimately holds one, so it is refused here, once, for every page,
// with a 400 that names the field. Multipart bodies are left to the upload, which streams them.
public static class NulCharacters
{
    public static IApplicationBuilder UseNulRefusal(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        var field = request.QueryString.HasValue ? FieldWithNul(request.Query) : null;
        if (field is null && request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
        {
            try
            {
                field = FieldWithNul(await request.ReadFormAsync(context.RequestAborted));
            }
            catch (InvalidDataException)
            {
                // The form reader refuses %00 (and other invalid characters) before we see the value.
                field = "The form";
            }
        }
        if (field is not null)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(Message(field), context.RequestAborted);
            return;
        }
        await next();
    });

    public static string Message(string field) => $"{field} contains a NUL character (U+0000), which no field accepts.";

    private static string? FieldWithNul(IEnumerable<KeyValuePair<string, StringValues>> values)
    {
        foreach (var (key, value) in values)
        {
            if (key.Contains('\0') || value.Any(v => v?.Contains('\0') == true))
            {
                // The name is echoed as plain text; a NUL in it is shown as an escape.
                return key.Replace("\0", "\\0", StringComparison.Ordinal);
            }
        }
        return null;
    }
}
