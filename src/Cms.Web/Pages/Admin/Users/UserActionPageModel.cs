using Cms.Application;
using Cms.Application.Users;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Admin.Users;

// One page per action on an account (Identity UI style): GET shows the account and what the action
// does, POST runs it through UserAdministration and returns to the list.
public abstract class UserActionPageModel(UserList list) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    public UserList.Row? Target { get; private set; }

    public abstract string Title { get; }

    public abstract string Explanation { get; }

    public abstract string Button { get; }

    public virtual string ButtonClass => "btn-warning";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ? Page() : NotFound();

    public virtual async Task<IActionResult> OnPostAsync(CancellationToken ct) => await DoneAsync(await RunAsync(Actors.Of(HttpContext), ct), ct);

    protected abstract Task<Outcome> RunAsync(Actor actor, CancellationToken ct);

    protected Task<IActionResult> DoneAsync(Outcome outcome, CancellationToken ct) =>
        this.AnswerAsync(outcome, () =>
        {
            TempData["StatusMessage"] = outcome.Message;
            return RedirectToPage("./Index");
        }, async () => await LoadAsync(ct) ? Page() : NotFound());

    protected async Task<bool> LoadAsync(CancellationToken ct)
    {
        Target = await list.FindAsync(Id, ct);
        if (Target is not null)
        {
            await LoadDetailsAsync(ct);
        }
        return Target is not null;
    }

    // More about the account for pages that show it (its sessions).
    protected virtual Task LoadDetailsAsync(CancellationToken ct) => Task.CompletedTask;
}
