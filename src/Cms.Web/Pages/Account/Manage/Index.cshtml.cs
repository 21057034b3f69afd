using Cms.Application.Users;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Account.Manage;

public sealed class IndexModel(OwnAccount account) : PageModel
{
    public OwnAccount.TwoFactorState? State { get; private set; }

    public async Task OnGetAsync() => State = await account.StateAsync(Actors.Of(HttpContext));
}
