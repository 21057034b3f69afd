using Cms.Application;
using Cms.Application.Users;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;

namespace Cms.Web.Infrastructure.Accounts;

// Identity, the sign-in cookie over the PostgreSQL session store, forwarded headers and sign-in
// rate limits: everything about who is signed in, in one place.
public static class AccountServices
{
    public static AccountSecurity AddCmsAccounts(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var security = AccountSecurity.From(builder.Configuration, builder.Environment);
        var sessions = SessionSettings.From(builder.Configuration);
        services.AddSingleton(security);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);

        services.AddIdentity<CmsUser, IdentityRole>(CmsApplication.ConfigureIdentity)
            .AddEntityFrameworkStores<CmsDbContext>()
            .AddSignInManager<CmsSignInManager>()
            .AddClaimsPrincipalFactory<CmsClaimsPrincipalFactory>()
            .AddDefaultTokenProviders()
            // Replaces the default authenticator provider: each code works once (RFC 6238).
            .AddTokenProvider<OneTimeAuthenticatorTokenProvider>(TokenOptions.DefaultAuthenticatorProvider);
        // The set-password link an admin hands out is valid for 24 hours.
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = TimeSpan.FromHours(24));
        // Revocation is the session store's job (rows deleted at once); the stamp check is the
        // backstop for changes made around the application, so a minute is enough.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
        services.AddSingleton<ITicketStore, PostgresTicketStore>();
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<ITicketStore>((o, store) => o.SessionStore = store);
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/Account/Login";
            o.LogoutPath = "/Account/Logout";
            o.AccessDeniedPath = "/Account/AccessDenied";
            o.Cookie.Name = "cms.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            // Secure whenever the request is HTTPS, including HTTPS ended at a known proxy.
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            // The browser forgets the cookie when the session would go idle; the store enforces
            // both the idle timeout and the absolute lifetime on the server.
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = sessions.IdleTimeout;
        });
        services.AddScoped<PasswordSignIn>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, RefusalAudit>();

        services.Configure<ForwardedHeadersOptions>(o =>
        {
            // Only the configured proxies are believed. ASP.NET Core reads empty KnownProxies and
            // KnownIPNetworks as "trust every sender", so with none configured nothing is forwarded
            // at all (this also disarms ASPNETCORE_FORWARDEDHEADERS_ENABLED, which clears both lists).
            var anyProxy = security.KnownProxies.Count > 0 || security.KnownNetworks.Count > 0;
            o.ForwardedHeaders = anyProxy ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto : ForwardedHeaders.None;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            o.ForwardLimit = null;
            foreach (var proxy in security.KnownProxies)
            {
                o.KnownProxies.Add(proxy);
            }
            foreach (var network in security.KnownNetworks)
            {
                o.KnownIPNetworks.Add(network);
            }
        });
        services.AddSignInRateLimits(security);
        return security;
    }
}
