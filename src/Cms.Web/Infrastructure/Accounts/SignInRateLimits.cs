using System.Globalization;
using System.Threading.RateLimiting;
using Cms.Application.Users;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.RateLimiting;

namespace Cms.Web.Infrastructure.Accounts;

// Marks the pages whose POST is a sign-in attempt (password, authenticator code, recovery code).
[AttributeUsage(AttributeTargets.Class)]
public sealed class SignInRateLimitedAttribute : Attribute;

// Rate limits on sign-in POSTs only (never the GET of the form): per client address (the real one
// behind a known proxy) and per account name. The per-account limit is above the per-address one,
// so one client alone can never use up an account's budget and keep its owner out. Limits are per
// instance; the lockout they back up (SignInRecords) is in PostgreSQL.
public static class SignInRateLimits
{
    private const string AccountItem = "cms.sign-in.account";
    private const string NameField = "Input.Email";

    public static IServiceCollection AddSignInRateLimits(this IServiceCollection services, AccountSecurity security) =>
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(http => IsSignInPost(http)
                    ? RateLimitPartition.GetFixedWindowLimiter("ip:" + Actors.ClientOf(http), _ => Window(security.LoginPerMinute, security.LoginWindow))
                    : RateLimitPartition.GetNoLimiter("")),
                PartitionedRateLimiter.Create<HttpContext, string>(http => IsSignInPost(http) && http.Items[AccountItem] is string account
                    ? RateLimitPartition.GetFixedWindowLimiter("account:" + account, _ => Window(security.LoginPerAccountPerMinute, security.LoginWindow))
                    : RateLimitPartition.GetNoLimiter("")));
            o.OnRejected = (context, _) =>
            {
                // A window limiter knows when it reopens; the fallback is the uploads' fair guess.
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(UploadLimits.RetryAfterSeconds);
                context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return ValueTask.CompletedTask;
            };
        });

    // Reads the account name of a sign-in POST for the per-account limiter (after routing, before
    // the limiter). The form is small; anything larger than 16 KB is refused by Kestrel here.
    public static IApplicationBuilder UseSignInAccountName(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (IsSignInPost(context) && context.Request.HasFormContentType)
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = 16 * 1024;
            }
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var names = form[NameField];
            // The page binds the first value; the limit must count the account that is tried, so
            // a second value (which no browser sends) would give each attempt a key of its own.
            if (names.Count > 1)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsync($"{NameField}: one account name per sign-in, not {names.Count}.", context.RequestAborted);
                return;
            }
            if (names.ToString() is { Length: > 0 } name)
            {
                context.Items[AccountItem] = SignInRecords.AccountKey(name);
            }
        }
        await next(context);
    });

    private static bool IsSignInPost(HttpContext http) =>
        HttpMethods.IsPost(http.Request.Method) && http.GetEndpoint()?.Metadata.GetMetadata<SignInRateLimitedAttribute>() is not null;

    private static FixedWindowRateLimiterOptions Window(int permits, TimeSpan window) =>
        new() { PermitLimit = Math.Max(1, permits), Window = window > TimeSpan.Zero ? window : TimeSpan.FromMinutes(1), QueueLimit = 0 };
}
