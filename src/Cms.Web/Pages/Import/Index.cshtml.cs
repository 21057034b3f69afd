using System.ComponentModel.DataAnnotations;
using System.IO.Compression;
using Cms.Application.Importing;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Import;

// The form reader keeps at most 64 KiB of each uploaded file in memory and spools the rest to a
// temporary file (ASP.NET Core's FormOptions.MemoryBufferThreshold), so a 200 MB upload costs disk,
// not memory; a zip is then read from that file entry by entry. Uploads are admitted per account
// and in total, must arrive at a minimum rate, and are imported a few at a time (UploadLimits).
[RequestSizeLimit(MaxUploadBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxUploadBytes)]
[UploadLimited]
public sealed class IndexModel(ItemImporter importer, FrontMatterOptions options, UploadLimitOptions limits) : PageModel
{
    public const long MaxUploadBytes = 200L * 1024 * 1024;

    [BindProperty]
    [FromForm]
    public InputModel Input { get; set; } = new();

    // Shown straight after the POST: re-submitting is harmless because import is idempotent.
    public ImportReport? Report { get; private set; }

    public int MaxFileBytes => options.MaxBytes;

    // One kind of item in the report, rendered by _ImportedItems: the named ones and the total.
    public sealed record ItemList(string Id, string Heading, IReadOnlyList<ImportedItem> Items, int Total);

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Choose one or more item files or a zip.")]
        [Display(Name = "Item files or a zip")]
        public List<IFormFile> Files { get; set; } = [];
    }

    public void OnGet()
    {
    }

    // The Topics page's "create these topics" form for these names, as many as fit a link that
    // every proxy and browser carries (the rest the publisher creates by hand).
    public static string CreateTopicsUrl(IEnumerable<string> names)
    {
        var url = new System.Text.StringBuilder("/Topics");
        foreach (var name in names)
        {
            var part = (url.Length == 7 ? "?" : "&") + "missing=" + Uri.EscapeDataString(name);
            if (url.Length + part.Length > MaxLinkLength)
            {
                break;
            }
            url.Append(part);
        }
        return url.ToString();
    }

    private const int MaxLinkLength = 4000;

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Input.Files.Count == 0)
        {
            ModelState.AddModelError("Input.Files", "Choose one or more item files or a zip.");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var archives = new List<ZipArchive>();
        try
        {
            var files = new List<IEnumerable<ImportFile>>();
            var skipped = new List<ImportProblem>();
            foreach (var upload in Input.Files)
            {
                var name = SafeFileName.From(upload.FileName);
                if (name.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
                {
                    var stream = upload.OpenReadStream();
                    if (ZipDirectory.Problem(stream, limits.MaxZipEntries, limits.MaxZipDirectoryBytes) is { } problem)
                    {
                        await stream.DisposeAsync();
                        skipped.Add(new ImportProblem(name, problem));
                        continue;
                    }
                    stream.Position = 0;
                    try
                    {
                        var zip = new ZipArchive(stream, ZipArchiveMode.Read);
                        archives.Add(zip);
                        files.Add(ImportSources.FromZip(name, zip));
                    }
                    catch (InvalidDataException)
                    {
                        skipped.Add(new ImportProblem(name, "not a readable zip archive"));
                    }
                }
                else if (ImportSources.Extensions.Contains(Path.GetExtension(name)))
                {
                    files.Add([new ImportFile(name, upload.Length, _ => Task.FromResult(upload.OpenReadStream()))]);
                }
                else
                {
                    skipped.Add(new ImportProblem(name, "not an item file (.txt .md .yaml .yml) or a zip"));
                }
            }
            var outcome = await importer.ImportAsync(Actors.Of(HttpContext), files.SelectMany(f => f), progress: null, ct);
            return await this.AnswerAsync(outcome.Result, () =>
            {
                Report = outcome.Value!;
                Report.Refuse(skipped);
                return Page();
            }, Page);
        }
        catch (InvalidDataException ex)
        {
            // A zip whose central directory lies (e.g. entry counts): the files before it are imported.
            ModelState.AddModelError("Input.Files", $"The zip could not be read to the end: {ex.Message}");
        }
        finally
        {
            archives.ForEach(a => a.Dispose());
        }
        return Page();
    }
}
