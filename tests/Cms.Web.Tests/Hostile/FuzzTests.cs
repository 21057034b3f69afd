using System.Collections;
using System.Net;
using System.Reflection;
using Cms.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Hostile;

// Every page, every handler, every bound property and handler parameter, found from the app's own
// page descriptors (so a new page is covered without touching this test), gets hostile values as
// each role; no answer may be a 500, and the app still answers /healthz afterwards.
public sealed class FuzzTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    public static readonly string[] HostileValues =
    [
        "99999999999999999999", "-99999999999999999_1", "99999999999_1", "2147483648", "-1", "1e309", "NaN",
        "\0", "a\0b", new string('x', 10_000), string.Concat(Enumerable.Repeat("- ", 3_500)) + "b", new string('-', 7_000),
        "!(&|:*<->)\"'-- or \"", "9999-12-31", "0000-00-00", "2024-02-30", "Bogus",
        "..\\..\\x.txt", "../../etc/passwd", "\uD800", "\u202Eevil", "<script>alert(1)</script>", "",
    ];

    // One of each kind, for the rounds that try each field alone.
    private static readonly string[] AloneValues =
        [HostileValues[0], HostileValues[1], HostileValues[8], HostileValues[9], HostileValues[10], HostileValues[15], HostileValues[16], HostileValues[17], HostileValues[19]];

    // One form or query field of one handler.
    private sealed record Target(string Page, string Route, string Method, string? Handler, IReadOnlyList<Field> Fields);

    private sealed record Field(string Name, bool IsFile);

    // Signing out would end the session the rest of the run needs; it takes no input anyway.
    private static readonly HashSet<string> Skipped = ["/Account/Logout POST"];

    private async Task<List<Target>> TargetsAsync()
    {
        var services = Factory.Services;
        var loader = services.GetRequiredService<PageLoader>();
        var pages = services.GetRequiredService<IActionDescriptorCollectionProvider>().ActionDescriptors.Items.OfType<PageActionDescriptor>();
        var targets = new List<Target>();
        foreach (var page in pages.DistinctBy(p => p.ViewEnginePath))
        {
            var compiled = await loader.LoadAsync(page, EndpointMetadataCollection.Empty);
            var bound = compiled.BoundProperties.SelectMany(p => Expand(p.BindingInfo?.BinderModelName ?? p.Name, p.ParameterType, 0)).ToList();
            foreach (var handler in compiled.HandlerMethods)
            {
                var method = handler.HttpMethod.ToUpperInvariant();
                if (Skipped.Contains($"{page.ViewEnginePath} {method}"))
                {
                    continue;
                }
                var parameters = handler.Parameters.SelectMany(p => Expand(p.Name, p.ParameterType, 0));
                targets.Add(new Target(page.ViewEnginePath, page.AttributeRouteInfo!.Template!, method, handler.Name,
                    [.. bound.Concat(parameters).DistinctBy(f => f.Name)]));
            }
        }
        return targets;
    }

    // Form names as model binding reads them: Prefix.Property, lists as Prefix[0].Property.
    private static IEnumerable<Field> Expand(string name, Type type, int depth)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (typeof(IFormFile).IsAssignableFrom(type) || typeof(IEnumerable<IFormFile>).IsAssignableFrom(type))
        {
            yield return new Field(name, IsFile: true);
        }
        else if (IsSimple(type) || depth > 3)
        {
            yield return new Field(name, IsFile: false);
        }
        else if (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type))
        {
            var element = type.IsArray ? type.GetElementType()! : type.GetGenericArguments().FirstOrDefault() ?? typeof(string);
            foreach (var field in IsSimple(element) ? [new Field(name, false)] : Expand($"{name}[0]", element, depth + 1))
            {
                yield return field;
            }
        }
        else
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                foreach (var field in Expand($"{name}.{property.Name}", property.PropertyType, depth + 1))
                {
                    yield return field;
                }
            }
        }
    }

    private static bool IsSimple(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateOnly)
            || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(TimeOnly) || type == typeof(Guid);
    }

    private static string Url(Target target, long itemId, IEnumerable<KeyValuePair<string, string>> query)
    {
        var path = "/" + System.Text.RegularExpressions.Regex.Replace(target.Route, @"\{(\w+)(:[^}]*)?\??\}", m =>
            m.Groups[2].Value.Contains("long") || m.Groups[2].Value.Contains("int") ? itemId.ToString() : "x");
        var pairs = query.ToList();
        if (target.Handler is { Length: > 0 } handler)
        {
            pairs.Add(new("handler", handler));
        }
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(path, pairs!);
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, Target target, long itemId, string token, IReadOnlyList<Field> fields, string value)
    {
        var values = fields.Select(f => new KeyValuePair<string, string>(f.Name, value)).ToList();
        if (target.Method == "GET")
        {
            return (await client.GetAsync(Url(target, itemId, values.Where(v => !fields.First(f => f.Name == v.Key).IsFile)))).StatusCode;
        }
        HttpContent content;
        if (fields.Any(f => f.IsFile))
        {
            var form = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" } };
            foreach (var field in fields)
            {
                if (field.IsFile)
                {
                    form.Add(new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(value)), field.Name, FileName(value));
                }
                else
                {
                    form.Add(new StringContent(value), field.Name);
                }
            }
            content = form;
        }
        else
        {
            content = new FormUrlEncodedContent(values.Append(new("__RequestVerificationToken", token)));
        }
        return (await client.PostAsync(Url(target, itemId, []), content)).StatusCode;
    }

    [Fact]
    public async Task Hostile_values_in_every_field_of_every_page_as_every_role_never_get_a_500()
    {
        await ImportAsync(new TestItem { RelatedCount = 2, Topics = ["Fuzz " + Unique.Tag()] });
        var itemId = Factory.WithDb(db => db.Items.Max(i => i.Id));
        var targets = await TargetsAsync();
        Assert.Contains(targets, t => t.Page == "/Items/Details" && t.Method == "POST" && t.Fields.Any(f => f.Name == "Input.Links[0].Decision"));
        Assert.Contains(targets, t => t.Page == "/Index" && t.Fields.Any(f => f.Name == "View.After"));
        Assert.Contains(targets, t => t.Page == "/Import/Index" && t.Fields.Any(f => f.IsFile));
        var failures = new List<string>();
        var sent = 0;

        // Each value in every field at once, as each role; then each field alone (once per page and
        // method) as the Admin, who may reach every page, so a refusal in one field cannot hide a
        // failure in another.
        var alone = targets.GroupBy(t => (t.Page, t.Method)).SelectMany(g => g.First().Fields.Select(f => (Target: g.First(), Field: f))).ToList();
        foreach (var role in new[] { Roles.Editor, Roles.Publisher, Roles.Admin })
        {
            var client = await SignedInAsync(role);
            var token = Http.AntiforgeryToken(await client.GetStringAsync("/Import"));
            var rounds = targets.Select(t => (Target: t, Fields: t.Fields, Values: HostileValues)).ToList();
            if (role == Roles.Admin)
            {
                rounds.AddRange(alone.Select(a => (a.Target, (IReadOnlyList<Field>)[a.Field], AloneValues)));
            }
            foreach (var (target, fields, values) in rounds)
            {
                {
                    foreach (var value in values)
                    {
                        var status = await SendAsync(client, target, itemId, token, fields, value);
                        sent++;
                        if (status == HttpStatusCode.InternalServerError)
                        {
                            failures.Add($"{role} {target.Method} {target.Page} handler={target.Handler} [{string.Join(",", fields.Select(f => f.Name))}] = {Show(value)}");
                        }
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} requests got a 500:\n" + string.Join("\n", failures.Take(50)));
        Assert.Equal(HttpStatusCode.OK, (await Factory.Browser().GetAsync("/healthz")).StatusCode);
    }

    // The value itself as the upload's file name where a multipart header can carry it (traversal included).
    private static string FileName(string value) =>
        value.Length is > 0 and < 200 && value.All(c => c is >= ' ' and < '\x7f' and not '"') ? value : "f.txt";

    private static string Show(string value) =>
        value.Length > 40 ? $"{value[..20].Replace("\0", "\\0")}… ({value.Length} chars)" : value.Replace("\0", "\\0");
}
