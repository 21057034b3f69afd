using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages;

[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    // A property rather than set in OnGet: the exception handler re-executes with the failed
    // request's method, and a failed POST has no OnPost here. The same id the audit trail records.
    public string RequestId => Activity.Current?.Id ?? HttpContext.TraceIdentifier;
}
