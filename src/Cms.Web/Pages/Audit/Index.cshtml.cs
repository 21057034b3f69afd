using System.Globalization;
using Cms.Application.Auditing;
using Cms.Core.Auditing;
using Cms.Web.Infrastructure;
using CsvHelper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Audit;

// The global audit trail (ViewAudit: Publisher and Admin): filters by actor, action, item and date
// range, newest first in keyset pages, and a streamed CSV export of exactly the current filter.
public sealed class IndexModel(AuditQuery audit) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public AuditFilter Filter { get; set; } = new();

    public IReadOnlyList<AuditQuery.Row> Rows { get; private set; } = [];
    public long? NextBefore { get; private set; }
    public IReadOnlyList<string> ActionNames => AuditActions.All;

    // The export's columns: the envelope, the data, and what an outsider needs to check the chain
    // (the exact hashed payload, prev_hash, hash; seq, prev_hash and hash are empty for an event
    // not sealed yet).
    public static readonly string[] Columns = ["id", "seq", "at", "actor_id", "actor", "action", "target_type", "target_id", "ip", "request_id", "data", "payload", "prev_hash", "hash"];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!Validate())
        {
            return Page();
        }
        var page = await audit.PageAsync(Filter, Actors.Of(HttpContext), ct);
        Rows = page.Rows;
        NextBefore = page.NextBefore;
        return Page();
    }

    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        if (!Validate())
        {
            return BadRequest(string.Join(" ", ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage)));
        }
        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition = $"attachment; filename=\"audit-{DateTime.UtcNow:yyyyMMdd-HHmmss}.csv\"";
        // Values come from untrusted input (topic names, reasons): never let a spreadsheet run them.
        await using var csv = CsvWriter.Create(Response.Body, CsvWriterOptions.Default with { Injection = CsvInjection.Escape }, leaveOpen: true);
        csv.WriteHeader(Columns);
        await foreach (var row in audit.StreamAsync(Filter, Actors.Of(HttpContext)).WithCancellation(ct))
        {
            csv.WriteField(row.Id.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(row.Seq?.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(AuditRecord.FormatTime(row.At));
            csv.WriteField(row.ActorId);
            csv.WriteField(row.Actor);
            csv.WriteField(row.Action);
            csv.WriteField(row.TargetType);
            csv.WriteField(row.TargetId);
            csv.WriteField(row.Ip);
            csv.WriteField(row.RequestId);
            csv.WriteField(row.Data);
            csv.WriteField(row.Payload);
            csv.WriteField(row.PrevHash);
            csv.WriteField(row.Hash);
            // Flushes to the response whenever the buffer is mostly full: the export streams.
            await csv.EndRecordAsync(ct);
        }
        await csv.FlushAsync(ct);
        return new EmptyResult();
    }

    private bool Validate()
    {
        if (Filter.Actor?.Length > 256)
        {
            ModelState.AddModelError("Filter.Actor", "An actor name has at most 256 characters.");
        }
        if (Filter.Action is { Length: > 0 } action && !AuditActions.All.Contains(action))
        {
            ModelState.AddModelError("Filter.Action", "Choose an action from the list.");
        }
        foreach (var (field, message) in Filter.DateProblems())
        {
            ModelState.AddModelError("Filter." + field, message);
        }
        if (Filter.Item is < 0 || Filter.Before is < 0)
        {
            ModelState.AddModelError("Filter.Item", "Item ids and cursors are positive numbers.");
        }
        return ModelState.IsValid;
    }

    // This filter as a URL: a page of it (before a cursor), or its CSV export (the whole filter).
    public string FilterUrl(long? before = null, string? handler = null)
    {
        var pairs = new Dictionary<string, string?>
        {
            ["Filter.Actor"] = Filter.Actor,
            ["Filter.Action"] = Filter.Action,
            ["Filter.Item"] = Filter.Item?.ToString(CultureInfo.InvariantCulture),
            ["Filter.From"] = Filter.From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["Filter.To"] = Filter.To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["Filter.Before"] = before?.ToString(CultureInfo.InvariantCulture),
            ["handler"] = handler,
        };
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/Audit", pairs.Where(p => !string.IsNullOrEmpty(p.Value)));
    }

    public static string Shorten(string? text, int max = 300) => text is null ? "" : Cms.Core.Text.UnicodeText.Clip(text, max);
}
