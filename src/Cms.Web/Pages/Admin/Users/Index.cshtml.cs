using Cms.Application.Users;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Admin.Users;

// The accounts, with search and paging; each action has a page of its own.
public sealed class IndexModel(UserList list) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    // "page" is the Razor Pages route value, so the page number is "p".
    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    public UserList.Page Result { get; private set; } = new([], 0, 1, 1);

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (Search is { Length: > 256 })
        {
            Search = Cms.Core.Text.UnicodeText.Clip(Search, 256, "");
        }
        Result = await list.SearchAsync(Search, PageNumber, UserList.PageSize, ct);
    }
}
