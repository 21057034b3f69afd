using System.Text.RegularExpressions;
using Cms.Application;
using Cms.Application.Importing;
using Cms.Application.Queue;
using Cms.Application.Setup;
using Cms.Application.Users;
using Cms.Core.Items;
using Cms.Core.Security;
using Cms.Data;
using Cms.Testing;
using Cms.Web.Cli;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;

namespace Cms.Screenshots;

// Hosts the app on a free port against a throwaway database on the configured server, imports
// the samples, makes the states worth showing (an edit, a pending source revision, a conflict
// between two editors) and photographs the pages in Debian's Chromium. The database is dropped
// afterwards, so a run leaves nothing but the pictures.
public static partial class ScreenshotRun
{
    public const int DefaultWidth = 1440;
    public const int Height = 900;
    public const int PhoneWidth = 390;
    public const int PhoneHeight = 844;

    // Every picture the README shows, with the viewport it is taken at (null width: --width).
    public sealed record Shot(string Name, int? Width, int Height);

    public static readonly IReadOnlyList<Shot> Shots =
    [
        new("queue", null, Height), new("item", null, Height), new("source-revision", null, Height), new("conflict", null, Height),
        new("history", null, Height), new("audit", null, Height), new("users", null, Height), new("saved-view", null, Height),
        new("triage", null, Height), new("phone-queue", PhoneWidth, PhoneHeight),
    ];

    private const string Password = "screenshots only, thrown away";

    public sealed record Options(string ServerConnectionString, IReadOnlyList<string> SampleFolders, string OutputFolder, string ContentRoot, int Width = DefaultWidth);

    public static async Task<IReadOnlyList<string>> RunAsync(Options options, TextWriter log, CancellationToken ct)
    {
        var database = "cms_screenshots_" + Guid.NewGuid().ToString("N")[..8];
        var cs = new NpgsqlConnectionStringBuilder(options.ServerConnectionString) { Database = database }.ConnectionString;
        await PostgresAdmin.ExecuteAsync(options.ServerConnectionString, $"CREATE DATABASE {database}", ct);
        try
        {
            await CliHost.RunAsync(async s =>
            {
                await s.GetRequiredService<DatabaseSetup>().MigrateAsync(ct);
                return 0;
            }, cs);
            var app = CmsApp.Build(
            [
                $"--ConnectionStrings:Cms={cs}", $"--contentRoot={options.ContentRoot}", "--Logging:LogLevel:Default=Warning",
                "--Security:RequireTwoFactorForAdmins=false", "--Publishing:Worker=false",
                $"--Publishing:Folder={Path.Combine(Path.GetTempPath(), database)}",
            ], "http://127.0.0.1:0");
            await app.StartAsync(ct);
            try
            {
                var baseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
                log.WriteLine($"screenshots: app on {baseUrl}, database {database}");
                return await PhotographAsync(app.Services, baseUrl, options, log, ct);
            }
            finally
            {
                await app.StopAsync(CancellationToken.None);
                await app.DisposeAsync();
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await PostgresAdmin.DropDatabaseAsync(options.ServerConnectionString, database, CancellationToken.None);
        }
    }

    private static async Task<IReadOnlyList<string>> PhotographAsync(IServiceProvider services, string baseUrl, Options options, TextWriter log, CancellationToken ct)
    {
        var report = await ImportAsync(services, options.SampleFolders, ct);
        log.WriteLine($"screenshots: imported {report.Imported} sample items");
        var files = options.SampleFolders.SelectMany(f => Directory.EnumerateFiles(f, "*.txt", SearchOption.AllDirectories)).Order(StringComparer.Ordinal).ToList();
        if (files.Count < 2)
        {
            throw new InvalidOperationException("the samples need at least two item files (one gets a source revision, one a conflict)");
        }
        await CreateUserAsync(services, "ada.admin@newsroom.example", Roles.Admin);
        await CreateUserAsync(services, "eli.editor@newsroom.example", Roles.Editor);
        await CreateUserAsync(services, "pat.publisher@newsroom.example", Roles.Publisher);
        await CreateUserAsync(services, "sam.editor@newsroom.example", Roles.Editor);
        Directory.CreateDirectory(options.OutputFolder);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = File.Exists("/usr/lib/chromium/chromium") ? "/usr/lib/chromium/chromium" : "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost",
            ],
        });
        var viewport = new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = options.Width, Height = Height } };
        var admin = await SignInAsync(browser, viewport, baseUrl, "ada.admin@newsroom.example");
        var editor = await SignInAsync(browser, viewport, baseUrl, "eli.editor@newsroom.example");
        var written = new List<string>();
        // A viewport-sized view of the page scrolled to the first anchor found (in the order given), so a
        // section low on the page is in the picture.
        async Task ShootAsync(IPage page, string name, params string[] anchors)
        {
            double top = 0;
            foreach (var anchor in anchors)
            {
                var found = page.Locator(anchor);
                if (await found.CountAsync() > 0)
                {
                    top = await found.First.EvaluateAsync<double>("e => e.getBoundingClientRect().top + window.scrollY") - 8;
                    break;
                }
            }
            var pageHeight = await page.EvaluateAsync<double>("document.documentElement.scrollHeight");
            top = Math.Max(0, Math.Min(top, pageHeight - page.ViewportSize!.Height));
            var path = Path.Combine(options.OutputFolder, name + ".png");
            // Scrolled, not cut from the whole page: a cut of the whole page draws the sticky save bar
            // where it sat for the unscrolled viewport, over the fields. Two animation frames let the
            // scrolled page paint before the shot.
            await page.EvaluateAsync("y => window.scrollTo(0, y)", top);
            await page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
            await page.ScreenshotAsync(new() { Path = path, Animations = ScreenshotAnimations.Disabled });
            written.Add(path);
            log.WriteLine($"screenshots: {path}");
        }

        // An edit, then the pipeline's changed file: the item keeps the edit and shows the revision.
        var revised = files[0];
        var revisedId = ItemId(services, revised);
        await admin.GotoAsync($"{baseUrl}/Items/Details/{revisedId}");
        await admin.GetByLabel("Quality (0-100)").FillAsync("81");
        await admin.GetByLabel("Note (optional, kept in the audit trail)").FillAsync("Raised: first with the news");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await admin.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await ImportChangedAsync(services, revised, ct);

        // Two editors on one item: the admin saves first, the editor's save becomes a conflict.
        var contested = files[1];
        var contestedId = ItemId(services, contested);
        await admin.GotoAsync($"{baseUrl}/Items/Details/{contestedId}");
        await editor.GotoAsync($"{baseUrl}/Items/Details/{contestedId}");
        await admin.GetByLabel("Quality (0-100)").FillAsync("55");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await admin.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await editor.GetByLabel("Quality (0-100)").FillAsync("90");
        await editor.GetByLabel("Note (optional, kept in the audit trail)").FillAsync("Exclusive interview, worth the top slot");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await editor.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await ShootAsync(editor, "conflict", "h1");

        await admin.GotoAsync(baseUrl + "/");
        await ShootAsync(admin, "queue");
        await admin.GotoAsync($"{baseUrl}/Items/Details/{ItemId(services, files[^1])}");
        await ShootAsync(admin, "item");
        // Two pages, since on one the revision and the history can share the same last screen.
        await ImportChangedAsync(services, contested, ct);
        await admin.GotoAsync($"{baseUrl}/Items/Details/{contestedId}");
        await ShootAsync(admin, "source-revision", "#revision", "[aria-labelledby=revision-heading]");
        await admin.GotoAsync($"{baseUrl}/Items/Details/{revisedId}");
        await ShootAsync(admin, "history", "#history");
        await admin.GotoAsync(baseUrl + "/Audit");
        await ShootAsync(admin, "audit");
        await admin.GotoAsync(baseUrl + "/Admin/Users");
        await ShootAsync(admin, "users");

        // A desk view a publisher shared with the editors, as an editor sees it: chosen, with its count.
        await SaveViewAsync(services, "pat.publisher@newsroom.example", Roles.Publisher, new("Links to decide, best first", "View.Undecided=true&View.Sort=quality", Roles.Editor), ct);
        await SaveViewAsync(services, "eli.editor@newsroom.example", Roles.Editor, new("Arrived today", $"View.ReceivedFrom={DateTime.UtcNow:yyyy-MM-dd}&View.Sort=received", null), ct);
        await editor.GotoAsync(baseUrl + "/");
        await editor.Locator("#saved-views a.saved-view", new() { HasText = "Links to decide" }).ClickAsync();
        await Assertions.Expect(editor).ToHaveURLAsync(new Regex("View\\.Undecided=true"), new() { Timeout = 120_000 }); // polled, no load state (as below)
        await ShootAsync(editor, "saved-view");

        // One-step triage: an edit on a new item with the most links to decide, the sticky bar
        // (over the fields still below) offering to save it and mark it ready, or go on to the next.
        long triaged;
        using (var scope = services.CreateScope())
        {
            triaged = await scope.ServiceProvider.GetRequiredService<CmsDbContext>().Items
                .Where(i => i.State == WorkflowState.New && i.Id != revisedId && i.Id != contestedId)
                .OrderByDescending(i => i.RelatedLinks.Count).ThenBy(i => i.Id).Select(i => i.Id).FirstAsync(ct);
        }
        await editor.GotoAsync($"{baseUrl}/Items/Details/{triaged}?View.Undecided=true&View.Sort=quality");
        await editor.GetByLabel("Quality (0-100)").FillAsync("74");
        await ShootAsync(editor, "triage", "#edit-form");

        // The queue on a phone: rows as cards, the filters and the bulk bar folded behind buttons.
        var phone = await SignInAsync(browser, new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = PhoneWidth, Height = PhoneHeight }, IsMobile = true, HasTouch = true,
        }, baseUrl, "eli.editor@newsroom.example");
        await ShootAsync(phone, "phone-queue");
        return written;
    }

    // As the person would save it from the queue (the handler checks sharing against their role).
    private static async Task SaveViewAsync(IServiceProvider services, string email, string role, SavedViews.SaveCommand command, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var userId = await scope.ServiceProvider.GetRequiredService<CmsDbContext>().Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(ct);
        var actor = new Actor(userId, email, Permissions.Of([role])) { Roles = new HashSet<string> { role } };
        var saved = await scope.ServiceProvider.GetRequiredService<SavedViews>().SaveAsync(actor, command, ct);
        if (!saved.Succeeded)
        {
            throw new InvalidOperationException($"{command.Name}: {saved.Result.Message}");
        }
    }

    private static async Task<ImportReport> ImportAsync(IServiceProvider services, IEnumerable<string> paths, CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var outcome = await scope.ServiceProvider.GetRequiredService<ItemImporter>().ImportAsync(Actor.System("importer"), paths, null, ct);
        return outcome.Value ?? throw new InvalidOperationException(outcome.Result.Message);
    }

    // The same item as the pipeline sends it again: a longer title, more heat, one more topic.
    private static async Task ImportChangedAsync(IServiceProvider services, string file, CancellationToken ct)
    {
        var text = await File.ReadAllTextAsync(file, ct);
        text = TitleLine().Replace(text, m => $"title: \"{m.Groups[1].Value.Trim().Trim('"')}, and what changes next\"", 1);
        text = HeatLine().Replace(text, "heat: 61", 1);
        var folder = Directory.CreateTempSubdirectory("cms-screenshots-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, Path.GetFileName(file)), text, ct);
            await ImportAsync(services, [folder], ct);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static long ItemId(IServiceProvider services, string file)
    {
        var url = OriginalUrlLine().Match(File.ReadAllText(file)).Groups[1].Value.Trim().Trim('"');
        using var scope = services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<CmsDbContext>().Items.AsNoTracking().Where(i => i.OriginalUrl == url).Select(i => i.Id).Single();
    }

    // Through UserAdministration, as every account is made: audited, so the audit picture shows it.
    private static async Task CreateUserAsync(IServiceProvider services, string email, string role)
    {
        using var scope = services.CreateScope();
        var created = await scope.ServiceProvider.GetRequiredService<UserAdministration>()
            .ProvisionAsync(Actor.CommandLine(), email, Password, role, CancellationToken.None);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException($"{email}: {created.Result.Message}");
        }
    }

    private static async Task<IPage> SignInAsync(IBrowser browser, BrowserNewContextOptions viewport, string baseUrl, string email)
    {
        var context = await browser.NewContextAsync(viewport);
        var page = await context.NewPageAsync();
        await page.GotoAsync(baseUrl + "/");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // The queue's heading, then its URL polled: WaitForURLAsync on a page already at the URL
        // waits for the load event, which was seen never to come (the browser tests' BrowserTest.OnQueueAsync).
        await page.GetByRole(AriaRole.Heading, new() { Name = "Review queue" }).WaitForAsync();
        await Assertions.Expect(page).ToHaveURLAsync(baseUrl + "/");
        return page;
    }

    [GeneratedRegex(@"^title:(.*)$", RegexOptions.Multiline)]
    private static partial Regex TitleLine();

    [GeneratedRegex(@"^heat:.*$", RegexOptions.Multiline)]
    private static partial Regex HeatLine();

    [GeneratedRegex(@"^originalUrl:(.*)$", RegexOptions.Multiline)]
    private static partial Regex OriginalUrlLine();
}
