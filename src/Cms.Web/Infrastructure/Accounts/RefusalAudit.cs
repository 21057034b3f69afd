using Cms.Application;
using Cms.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Cms.Web.Infrastructure.Accounts;

// A signed-in person refused by a page's policy is an audit event (authorization.refused), like a
// refusal inside a handler. Anonymous challenges are just the way to the sign-in page.
public sealed class RefusalAudit : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if ((authorizeResult.Forbidden || authorizeResult.Challenged) && context.User.Identity?.IsAuthenticated == true)
        {
            var reasons = authorizeResult.AuthorizationFailure?.FailedRequirements.Select(r => r.ToString()).ToList() ?? [];
            await Guard.RequestRefusedAsync(context.RequestServices.GetRequiredService<CmsDbContext>(), Actors.Of(context),
                $"{context.Request.Method} {context.Request.Path}", string.Join("; ", reasons), context.RequestAborted);
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
