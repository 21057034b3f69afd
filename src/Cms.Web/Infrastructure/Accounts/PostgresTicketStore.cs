using Cms.Application.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using System.Security.Claims;

namespace Cms.Web.Infrastructure.Accounts;

// The sign-in cookie's session store: the cookie holds a random key, the ticket lives in
// PostgreSQL and is looked up on every request, so deleting the row ends the session at once on
// every instance (no cache here another instance would need).
public sealed class PostgresTicketStore(IServiceScopeFactory scopes) : ITicketStore
{
    private const string SessionItem = "cms.session";
    private const string EndNoticeItem = "cms.session-ended";

    // The session this request was authenticated with, e.g. to keep it when the password changes.
    public static string? SessionOf(HttpContext http) => http.Items[SessionItem] as string;

    // Why the session this request's cookie names was ended by someone or something else, if it was:
    // the sign-in page says so (the cookie still names the ended session until the next sign-in).
    public static string? EndNoticeOf(HttpContext http) => http.Items[EndNoticeItem] as string;

    public Task<string> StoreAsync(AuthenticationTicket ticket) => StoreAsync(ticket, null!, CancellationToken.None);

    public async Task<string> StoreAsync(AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var userId = ticket.Principal.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("a session needs a signed-in user");
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UserSessions>().StoreAsync(userId, TicketSerializer.Default.Serialize(ticket),
            httpContext?.Request.Headers.UserAgent.ToString(), httpContext?.Connection.RemoteIpAddress?.ToString(), cancellationToken);
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewAsync(key, ticket, null!, CancellationToken.None);

    public async Task RenewAsync(string key, AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<UserSessions>().RenewAsync(key, TicketSerializer.Default.Serialize(ticket), cancellationToken);
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, null!, CancellationToken.None);

    public async Task<AuthenticationTicket?> RetrieveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var (stored, endNotice) = await scope.ServiceProvider.GetRequiredService<UserSessions>().RetrieveAsync(key, cancellationToken);
        if (stored is null)
        {
            if (httpContext is not null && endNotice is not null)
            {
                httpContext.Items[EndNoticeItem] = endNotice;
            }
            return null;
        }
        if (httpContext is not null)
        {
            httpContext.Items[SessionItem] = key;
        }
        return TicketSerializer.Default.Deserialize(stored.Ticket);
    }

    public Task RemoveAsync(string key) => RemoveAsync(key, null!, CancellationToken.None);

    public async Task RemoveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<UserSessions>().RemoveAsync(key, cancellationToken);
    }

    // Every ITicketStore overload ends in the ones above.
    public Task<string> StoreAsync(AuthenticationTicket ticket, CancellationToken cancellationToken) => StoreAsync(ticket, null!, cancellationToken);

    public Task RenewAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken) => RenewAsync(key, ticket, null!, cancellationToken);

    public Task<AuthenticationTicket?> RetrieveAsync(string key, CancellationToken cancellationToken) => RetrieveAsync(key, null!, cancellationToken);

    public Task RemoveAsync(string key, CancellationToken cancellationToken) => RemoveAsync(key, null!, cancellationToken);
}
