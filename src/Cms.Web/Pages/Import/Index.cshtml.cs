using System.ComponentModel.DataAnnotations;
using System.IO.Compression;
using Cms.Application.Importing;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cms.Web.Pages.Import;

[RequestSizeLimit(MaxUploadBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxUploadBytes)]
public sealed class IndexModel(ItemImporter importer, FrontMatterOptions options) : PageModel
{
    public const long MaxUploadBytes = 200L * 1024 * 1024;

    [BindProperty]
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
            var files = new List<ImportFile>();
            var skipped = new List<ImportProblem>();
            foreach (var upload in Input.Files)
            {
                var name = SafeFileName.From(upload.FileName);
                if (name.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
                {
                    try
                    {
                        var zip = new ZipArchive(upload.OpenReadStream(), ZipArchiveMode.Read);
                        archives.Add(zip);
                        files.AddRange(ImportSources.FromZip(name, zip, options.MaxBytes));
                    }
                    catch (InvalidDataException)
                    {
                        skipped.Add(new ImportProblem(name, "not a readable zip archive"));
                    }
                }
                else if (ImportSources.Extensions.Contains(Path.GetExtension(name)))
                {
                    files.Add(new ImportFile(name, upload.Length, async token =>
                    {
                        await using var stream = upload.OpenReadStream();
                        var buffer = new MemoryStream((int)Math.Min(upload.Length, options.MaxBytes + 1L));
                        await stream.CopyToAsync(buffer, token);
                        return buffer.ToArray();
                    }));
                }
                else
                {
                    skipped.Add(new ImportProblem(name, "not an item file (.txt .md .yaml .yml) or a zip"));
                }
            }
            var outcome = await importer.ImportAsync(Actors.Of(HttpContext), files, progress: null, ct);
            if (!outcome.Succeeded)
            {
                return Forbid();
            }
            Report = outcome.Value!;
            Report.Problems.InsertRange(0, skipped);
        }
        finally
        {
            archives.ForEach(a => a.Dispose());
        }
        return Page();
    }
}
