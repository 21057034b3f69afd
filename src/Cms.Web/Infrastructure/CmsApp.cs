using System.Text.Json;
using Cms.Application;
using Cms.Core.Security;
using Cms.Data;
using Cms.Web.Api;
using Cms.Web.Infrastructure.Accounts;
using Cms.Web.Live;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cms.Web.Infrastructure;

public static class CmsApp
{
    public static WebApplication Build(string[] args, string? urls = null)
    {
        // The pages live in this assembly whichever program hosts it (the benchmarks do too).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(CmsApp).Assembly.GetName().Name });
        if (urls is not null)
        {
            builder.WebHost.UseUrls(urls);
            builder.Configuration[AllowedHosts.Key] = AllowedHosts.With(builder.Configuration[AllowedHosts.Key], urls);
        }
        var services = builder.Services;
        services.AddCmsApplication(builder.Configuration);
        services.AddSingleton<IExcerptSanitizer, ExcerptSanitizer>();
        services.AddScoped<Cms.Web.Live.InboxLink>();
        // Drains the publishing outbox (Publishing:Worker=false leaves that to `./cms worker`).
        services.AddHostedService<Cms.Application.Publishing.PublishingService>();
        services.AddHostedService<Cms.Application.Links.LinkCheckService>();
        // The live channel's LISTEN connection and heartbeat, and the optional e-mail digest.
        services.AddHostedService<Cms.Application.Live.LiveService>();
        services.AddHostedService<Cms.Application.Notifications.EmailDigestService>();
        services.AddHostedService<Cms.Application.Delivery.WebhookService>();
        // Seals committed audit events and anchors the head (Audit:Sealer=false leaves it to others).
        services.AddHostedService<Cms.Application.Auditing.AuditSealingService>();
        services.AddHostedService<Cms.Application.Queue.StateCountFolding>();

        builder.AddCmsAccounts();
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
            c.AuthorizeFolder("/Admin/Delivery", Permissions.ManageDelivery);
            c.AuthorizeFolder("/Topics", Permissions.ManageTopics);
            c.AuthorizeFolder("/Audit", Permissions.ViewAudit);
            c.AuthorizeFolder("/Links", Permissions.PublishItems);
            c.AllowAnonymousToPage("/Account/Login");
            c.AllowAnonymousToPage("/Account/LoginWith2fa");
            c.AllowAnonymousToPage("/Account/LoginWithRecoveryCode");
            c.AllowAnonymousToPage("/Account/SetPassword");
            c.AllowAnonymousToPage("/Account/AccessDenied");
            c.AllowAnonymousToPage("/Error");
            c.AllowAnonymousToPage("/Status");
            // /Account/Logout and /Account/Manage need a signed-in user of any role (the fallback policy).
        });

        // Each page in one write (WholePageWriterFactory), after MVC's own registration.
        services.Replace(ServiceDescriptor.Singleton<Microsoft.AspNetCore.Mvc.Infrastructure.IHttpResponseStreamWriterFactory, WholePageWriterFactory>());

        services.AddHealthChecks()
            .AddDbContextCheck<CmsDbContext>("database", tags: ["ready"])
            .AddCheck<PendingMigrationsCheck>("migrations", tags: ["ready"]);

        // Uploads: per account, in total and by body rate, per instance (UploadLimits).
        services.AddSingleton(UploadLimitOptions.From(builder.Configuration));
        services.AddSingleton<UploadLimits>();
        // Requests per delivery token, per instance (DeliveryRateLimits).
        services.AddSingleton<DeliveryRateLimits>();
        // Pages write the letters of every script as they are, not as numeric entities (HtmlEncoding).
        services.Replace(ServiceDescriptor.Singleton(typeof(System.Text.Encodings.Web.HtmlEncoder), HtmlEncoding.Encoder));

        var app = builder.Build();
        // First: the client address, scheme (Secure cookies, HSTS) come from known proxies only.
        app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error");
            app.UseHsts();
        }
        // Empty 4xx/5xx answers (NotFound(), 403, 400) get a page in the app's layout with a way back.
        app.UseStatusCodePagesWithReExecute("/Status/{0}");
        app.UseSecurityHeaders(SecurityHeaders.Policy());
        app.UseStaticFiles();
        app.UseNulRefusal();
        app.UseRouting();
        app.UseSignInAccountName();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UsePendingAccountSetup();
        app.UseAuthorization();
        app.UseUploadLimits();

        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealth }).AllowAnonymous();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteHealth }).AllowAnonymous();
        app.MapRazorPages();
        app.MapLive();
        app.MapDeliveryApi();
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
