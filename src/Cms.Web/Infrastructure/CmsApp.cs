using System.Text.Json;
using System.Threading.RateLimiting;
using Cms.Application;
using Cms.Application.Importing;
using Cms.Core.Security;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cms.Web.Infrastructure;

public static class CmsApp
{
    public const string LoginRateLimit = "login";
    public const string ImportRateLimit = "import";

    public static WebApplication Build(string[] args, string? urls = null)
    {
        // The pages live in this assembly whichever program hosts it (the benchmarks do too).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(CmsApp).Assembly.GetName().Name });
        if (urls is not null)
        {
            builder.WebHost.UseUrls(urls);
        }
        var services = builder.Services;
        services.AddCmsApplication(builder.Configuration);
        services.AddSingleton<IExcerptSanitizer, ExcerptSanitizer>();

        services.AddIdentity<CmsUser, IdentityRole>(CmsApplication.ConfigureIdentity)
            .AddEntityFrameworkStores<CmsDbContext>()
            .AddDefaultTokenProviders();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/Account/Login";
            o.LogoutPath = "/Account/Logout";
            o.AccessDeniedPath = "/Account/AccessDenied";
            o.Cookie.Name = "cms.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromHours(10);
        });
        services.AddAntiforgery(o => o.Cookie.Name = "cms.af");

        services.AddAuthorizationBuilder()
            // Closed by default: a page nobody thought about still needs a signed-in user.
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        services.AddAuthorization(o =>
        {
            foreach (var permission in Permissions.All)
            {
                o.AddPolicy(permission, p => p.RequireAuthenticatedUser().RequireRole(Permissions.RolesWith(permission)));
            }
        });

        services.AddRazorPages(o =>
        {
            var c = o.Conventions;
            c.AuthorizeFolder("/", Permissions.ReviewItems);
            c.AuthorizeFolder("/Items", Permissions.ReviewItems);
            c.AuthorizeFolder("/Import", Permissions.ImportItems);
            c.AuthorizeFolder("/Admin", Permissions.ManageUsers);
            c.AuthorizeFolder("/Topics", Permissions.ManageTopics);
            c.AllowAnonymousToPage("/Account/Login");
            c.AllowAnonymousToPage("/Account/AccessDenied");
            c.AllowAnonymousToPage("/Error");
            c.AuthorizePage("/Account/Logout");
        });

        services.AddHealthChecks()
            .AddDbContextCheck<CmsDbContext>("database", tags: ["ready"])
            .AddCheck<PendingMigrationsCheck>("migrations", tags: ["ready"]);

        var loginPerMinute = builder.Configuration.GetValue("RateLimit:LoginPerMinute", 30);
        var import = builder.Configuration.GetSection("Import").Get<ImportOptions>() ?? new ImportOptions();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "10";
                return ValueTask.CompletedTask;
            };
            // Memory is per process, so the bound on uploads processed at once is per instance;
            // across instances imports serialize on the database's advisory lock anyway.
            o.AddPolicy(ImportRateLimit, http => HttpMethods.IsPost(http.Request.Method)
                ? RateLimitPartition.GetConcurrencyLimiter("uploads", _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = import.ConcurrentUploads,
                    QueueLimit = import.QueuedUploads,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                })
                : RateLimitPartition.GetNoLimiter("pages"));
            o.AddPolicy(LoginRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = loginPerMinute, Window = TimeSpan.FromMinutes(1) }));
        });

        var app = builder.Build();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error");
        }
        app.UseSecurityHeaders(SecurityHeaders.Policy());
        app.UseStaticFiles();
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealth }).AllowAnonymous();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteHealth }).AllowAnonymous();
        app.MapRazorPages();
        return app;
    }

    private static Task WriteHealth(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
