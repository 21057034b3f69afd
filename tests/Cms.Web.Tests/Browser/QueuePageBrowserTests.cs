using Cms.Core.Items;
using Microsoft.Playwright;

namespace Cms.Web.Tests.Browser;

// The queue page in Chromium: select-all for the bulk form, the page without JavaScript, and what
// fits at tablet and desktop widths. Each test looks at a category of its own.
public sealed class QueuePageBrowserTests(BrowserFixture fixture) : BrowserTest(fixture), IClassFixture<BrowserFixture>
{
    private readonly string _category = "cat-" + Unique.Tag();

    private TestItem Item(int n) => new()
    {
        Title = $"A long enough headline about the central bank raising its key rate again, number {n} {_category}",
        Category = _category,
        ProviderName = "Hindustan Times Tech",
        ProviderDomain = "hindustantimes.com",
        PublishedDateTime = TestItem.Utc(2024, 3, 9, n),
        Quality = 40 + n,
        Heat = n == 0 ? -1 : n,
        RelatedCount = 2,
    };

    private Task ImportItemsAsync(int count) => ImportAsync([.. Enumerable.Range(0, count).Select(Item)]);

    [Fact]
    public Task Select_all_ticks_every_row_for_the_bulk_form_and_the_action_reaches_each_item() => FlowAsync(async () =>
    {
        await ImportItemsAsync(4);
        var page = await SignedInPageAsync(Roles.Editor);
        await page.GotoAsync($"{BaseUrl}/?View.Category={_category}");
        var all = page.GetByLabel("Select every item on this page");
        var rows = page.Locator("#queue input[name='Bulk.Ids']");

        await all.CheckAsync();
        var tickedAfterAll = await rows.EvaluateAllAsync<int>("boxes => boxes.filter(b => b.checked).length");
        await rows.First.UncheckAsync();
        var indeterminate = await all.EvaluateAsync<bool>("box => box.indeterminate && !box.checked");
        await rows.First.CheckAsync();
        await page.Locator("#bulk-action").SelectOptionAsync("approve-links");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply to selected" }).ClickAsync();
        await AtUrlAsync(page, "**/?View.Category=*");

        Assert.Equal(4, tickedAfterAll);
        Assert.True(indeterminate);
        var pending = Factory.WithDb(db => db.RelatedLinks.Count(l => l.Item!.Category == _category && l.Decision == LinkDecision.Pending));
        Assert.Equal(0, pending);
        Assert.True(ConsoleErrors.Count == 0, string.Join("\n", ConsoleErrors));
    });

    [Fact]
    public Task Without_javascript_the_select_all_box_is_hidden_and_the_state_toggles_filter_on_apply() => FlowAsync(async () =>
    {
        await ImportItemsAsync(2);
        var page = await SignedInPageAsync(Roles.Editor, new BrowserNewContextOptions { JavaScriptEnabled = false });
        await page.GotoAsync($"{BaseUrl}/?View.Category={_category}");

        var selectAllVisible = await page.Locator("#select-all").IsVisibleAsync();
        // The checkbox sits under its toggle button, as Bootstrap's btn-check does: click the label.
        await page.Locator("label[for='state-published']").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply", Exact = true }).ClickAsync();
        await AtUrlAsync(page, "**View.State=Published**");

        Assert.False(selectAllVisible);
        Assert.Contains("View.State=Published", page.Url);
        Assert.Equal(0, await page.Locator("#queue tbody tr").CountAsync());
        Assert.True(await page.GetByRole(AriaRole.Link, new() { Name = "Clear the filters" }).IsVisibleAsync());
    });

    [Theory]
    [InlineData(768, 1024)]
    [InlineData(1440, 900)]
    public Task Nothing_on_the_queue_page_is_cut_off_at_tablet_and_desktop_widths(int width, int height) => FlowAsync(async () =>
    {
        await ImportItemsAsync(3);
        var page = await SignedInPageAsync(Roles.Editor, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        await page.GotoAsync($"{BaseUrl}/?View.Category={_category}&View.From=2024-03-01&View.To=2024-03-31&View.QualityMin=40&View.QualityMax=100&View.Provider=hindustan");

        // Labels, buttons and lists cut short, and fields too narrow for the value they hold (measured
        // in the field's own font; a native date field also needs room for its picker icon).
        var clipped = await page.EvaluateAsync<string[]>("""
            (() => {
              const ctx = document.createElement('canvas').getContext('2d');
              const name = e => e.id || e.getAttribute('for') || e.getAttribute('aria-label') || e.textContent.trim();
              const visible = [...document.querySelectorAll(['input:not([type=checkbox])', 'select', 'label', 'legend', '.btn'].map(s => 'form[aria-label=Filters] ' + s + ', #bulk-form ' + s).join(', '))]
                .filter(e => e.offsetParent !== null);
              const cut = visible.filter(e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
                .map(e => name(e) + ': ' + e.scrollWidth + 'x' + e.scrollHeight + ' in ' + e.clientWidth + 'x' + e.clientHeight);
              const narrow = visible.filter(e => e.tagName === 'INPUT' && e.value).filter(e => {
                const style = getComputedStyle(e);
                ctx.font = style.font;
                const room = e.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
                return ctx.measureText(e.value).width + (e.type === 'date' ? 24 : 0) > room;
              }).map(e => name(e) + ': "' + e.value + '" does not fit');
              return cut.concat(narrow);
            })()
            """);
        var pageOverflow = await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth");
        var tableOverflow = await page.EvaluateAsync<bool>("(t => t.scrollWidth > t.clientWidth)(document.querySelector('.table-responsive'))");
        var titleWidth = await page.Locator("#queue tbody tr td:nth-child(2)").First.EvaluateAsync<double>("td => td.getBoundingClientRect().width");

        Assert.Empty(clipped);
        Assert.False(pageOverflow);
        Assert.False(tableOverflow);
        // The title keeps at least a third of the table, so a headline is a few lines, not a column of words.
        Assert.True(titleWidth >= width / 3.0, $"title column {titleWidth}px at {width}px");
        Assert.Equal(3, await page.Locator("#queue tbody tr").CountAsync());
        Assert.True(ConsoleErrors.Count == 0, string.Join("\n", ConsoleErrors));
    });
    [Fact]
    public Task On_a_phone_nothing_scrolls_sideways_and_the_first_row_shows_above_the_folded_filters() => FlowAsync(async () =>
    {
        await ImportItemsAsync(3);
        var page = await SignedInPageAsync(Roles.Editor, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true });
        await page.GotoAsync($"{BaseUrl}/?View.Category={_category}&View.QualityMin=40");

        var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        var firstRow = (await page.Locator("#queue tbody tr").First.BoundingBoxAsync())!;
        var filtersShown = await page.Locator("#filters").IsVisibleAsync();
        var bulkShown = await page.Locator("#bulk-form").IsVisibleAsync();
        var menuShown = await page.Locator("#main-menu").IsVisibleAsync();
        var titleWidth = await page.Locator("#queue tbody tr td:nth-child(2)").First.EvaluateAsync<double>("td => td.getBoundingClientRect().width");
        var stateShown = await page.Locator("#queue tbody tr td:nth-child(10)").First.IsVisibleAsync();

        Assert.True(scrollWidth <= 390, $"the page is {scrollWidth}px wide at 390px");
        // The whole first row within the first screen: nothing to scroll past.
        Assert.True(firstRow.Y >= 0 && firstRow.Y + firstRow.Height <= 844, $"first row at y={firstRow.Y}, height {firstRow.Height}");
        Assert.False(filtersShown);
        Assert.False(bulkShown);
        Assert.False(menuShown);
        // A card: the title spans the row (not a column of single words) and the state is not cut off.
        Assert.True(titleWidth >= 300, $"title {titleWidth}px wide");
        Assert.True(stateShown);

        // The folded parts open behind their buttons, and still nothing scrolls sideways.
        await page.Locator("#toggle-filters").ClickAsync();
        await page.Locator("#filters").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        await page.Locator(".navbar-toggler").ClickAsync();
        await page.Locator("#main-menu").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 390);
        Assert.True(ConsoleErrors.Count == 0, string.Join("\n", ConsoleErrors));
    });
    // Each value is written once a row (QUEUE7): under 1200 px (a phone, a tablet) CSS moves provider,
    // category and the received time under the title, on a wide screen they are columns of their own.
    [Theory]
    [InlineData(390, 844, true)]
    [InlineData(1024, 768, true)]
    [InlineData(1440, 900, false)]
    public Task Every_row_shows_its_title_provider_category_and_facts_on_a_phone_a_tablet_and_a_wide_screen(int width, int height, bool card) => FlowAsync(async () =>
    {
        await ImportItemsAsync(1);
        var phone = width < 768;
        var page = await SignedInPageAsync(Roles.Editor, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, IsMobile = phone, HasTouch = phone });
        await page.GotoAsync($"{BaseUrl}/?View.Category={_category}");
        var row = page.Locator("#queue tbody tr").First;
        async Task<(string Text, LocatorBoundingBoxResult Box)> CellAsync(int n)
        {
            var cell = row.Locator($"td:nth-child({n})");
            Assert.True(await cell.IsVisibleAsync(), $"cell {n} hidden at {width}px");
            return ((await cell.InnerTextAsync()).Trim(), (await cell.BoundingBoxAsync())!);
        }

        var title = await CellAsync(2);
        var provider = await CellAsync(3);
        var category = await CellAsync(4);
        var published = await CellAsync(5);
        var received = await CellAsync(6);
        var facts = new List<string>();
        foreach (var n in new[] { 7, 8, 9, 10 }) { facts.Add((await CellAsync(n)).Text); }
        // The phone's labels are the cells' generated text ("Quality: "), as the header is hidden there.
        var labels = await row.Locator("td").EvaluateAllAsync<string[]>("tds => tds.map(td => getComputedStyle(td, '::before').content)");
        var box = page.GetByRole(AriaRole.Checkbox, new() { Name = "Select " + Item(0).Title, Exact = true });

        Assert.Equal(Item(0).Title, title.Text);
        Assert.Equal("Hindustan Times Tech", provider.Text);
        Assert.Equal(_category, category.Text);
        Assert.Equal("2024-03-09 00:00", published.Text);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$", received.Text);
        Assert.Equal(["40", "unknown", "2", "New"], facts);
        Assert.Equal(1, await box.CountAsync());
        Assert.True(await box.IsVisibleAsync());
        if (card)
        {
            // What a screen reader hears: the hidden headers' names, as the labels' alternative text.
            var spoken = await row.AriaSnapshotAsync();
            Assert.True(spoken.Contains("Provider: Hindustan Times Tech") && spoken.Contains("Category: " + _category), spoken);
            // Under the title, on one line: provider · category · received; then the labelled facts.
            Assert.True(provider.Box.Y >= title.Box.Y + title.Box.Height - 1, $"provider at y={provider.Box.Y}, title ends at {title.Box.Y + title.Box.Height}");
            Assert.True(Math.Abs(category.Box.Y - provider.Box.Y) < 2 && category.Box.X > provider.Box.X, "category is not beside provider");
            // The received time follows on that line, or wraps to the start of the next one.
            Assert.True(Math.Abs(received.Box.Y - provider.Box.Y) < 2 ? received.Box.X > category.Box.X : received.Box.Y > provider.Box.Y && Math.Abs(received.Box.X - title.Box.X) < 1,
                $"received at ({received.Box.X}, {received.Box.Y}), provider at ({provider.Box.X}, {provider.Box.Y}), title at x={title.Box.X}");
            Assert.True(published.Box.Y >= received.Box.Y + received.Box.Height - 1 && Math.Abs(published.Box.X - title.Box.X) < 1, "published does not start the facts under the title");
            Assert.Equal(["\"\" / \"Provider: \"", "\"· \" / \"Category: \"", "\"· received (UTC) \"", "\"Published (UTC): \"", "\"Quality: \"", "\"Heat: \"", "\"Links to decide: \"", "\"State: \""],
                [labels[2], labels[3], labels[5], labels[4], labels[6], labels[7], labels[8], labels[9]]);
            // The column headers are hidden on the cards; the select-all box stays from 768 px up.
            var headersShown = await page.Locator("#queue thead th:nth-child(3)").EvaluateAsync<bool>(
                "th => getComputedStyle(th).display !== 'none' && th.closest('thead').getBoundingClientRect().width > 1");
            Assert.False(headersShown);
            Assert.True(phone || await page.Locator("#select-all").IsVisibleAsync(), "no select-all box above the cards");
        }
        else
        {
            // Columns in the table's order, on the title's line, under their visible headers.
            Assert.True(provider.Box.X >= title.Box.X + title.Box.Width - 1 && category.Box.X > provider.Box.X && received.Box.X > published.Box.X);
            Assert.True(Math.Abs(provider.Box.Y - title.Box.Y) < 2 && Math.Abs(received.Box.Y - title.Box.Y) < 2, "a column is not on the title's line");
            Assert.All(labels, l => Assert.Equal("none", l));
            foreach (var header in new[] { "Title", "Provider", "Category", "Published (UTC)", "Received (UTC)", "Quality", "Heat", "Links to decide", "State" })
            {
                Assert.True(await page.GetByRole(AriaRole.Columnheader, new() { Name = header, Exact = true }).IsVisibleAsync(), header);
            }
        }
        Assert.True(ConsoleErrors.Count == 0, string.Join("\n", ConsoleErrors));
    });
    [Fact]
    public Task A_view_saved_and_shared_with_editors_appears_for_another_editor_with_its_count() => FlowAsync(async () =>
    {
        await ImportItemsAsync(4);
        var name = "Desk " + _category;
        var author = await SignedInPageAsync(Roles.Editor, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        await author.GotoAsync($"{BaseUrl}/?View.Category={_category}");

        await author.Locator("#save-view-name").FillAsync(name);
        await author.Locator("#save-view-sharing").SelectOptionAsync(Roles.Editor);
        await author.Locator("#save-view-button").ClickAsync();
        await ExpectTextAsync(author, $"Saved the view “{name}”, shared with Editors.");

        var colleague = await SignedInPageAsync(Roles.Editor, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var view = colleague.Locator("#saved-views a.saved-view", new() { HasText = name });
        await view.WaitForAsync();
        var count = await view.Locator(".saved-view-count").InnerTextAsync();
        await view.ClickAsync();
        await AtUrlAsync(colleague, $"**/?View.Category={_category}");

        Assert.Equal("4", count);
        Assert.Equal(4, await colleague.Locator("#queue tbody tr").CountAsync());
        Assert.Equal("page", await colleague.Locator("#saved-views a.saved-view", new() { HasText = name }).GetAttributeAsync("aria-current"));
        AssertNoScriptRanAndNothingWasBlocked();
    });

    private const string LongWord = "LandesrundfunkanstaltNachrichtenredaktionWirtschaftsressortOnlineausgabeAbend";

    // REVIEW9 R9-1: provider and category are cells of their own on the cards (QUEUE7); one long word
    // in them, or in the title, must wrap inside its cell and never push the page sideways.
    [Theory]
    [InlineData(390, 844)]
    [InlineData(1024, 768)]
    [InlineData(1440, 900)]
    public Task A_provider_category_or_title_of_one_long_word_wraps_inside_its_cell_and_nothing_scrolls_sideways(int width, int height) => FlowAsync(async () =>
    {
        var category = _category + LongWord;
        await ImportAsync([new TestItem
        {
            Title = $"Rates {LongWord}{LongWord} {_category}",
            Category = category,
            ProviderName = LongWord,
            ProviderDomain = "example.com",
            PublishedDateTime = TestItem.Utc(2024, 3, 9, 1),
            Quality = 50,
        }]);
        var phone = width < 768;
        var page = await SignedInPageAsync(Roles.Editor, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, IsMobile = phone, HasTouch = phone });
        await page.GotoAsync($"{BaseUrl}/?View.Category={Uri.EscapeDataString(category)}");

        var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        var overflowing = await page.Locator("#queue tbody tr").First.Locator("td").EvaluateAllAsync<string[]>("""
            tds => tds.map((td, n) => [n + 1, td.scrollWidth, td.clientWidth])
              .filter(([, scroll, client]) => scroll > client + 1)
              .map(([n, scroll, client]) => `cell ${n}: ${scroll}px of text in ${client}px`)
            """);

        Assert.Equal(1, await page.Locator("#queue tbody tr").CountAsync());
        Assert.True(scrollWidth <= width, $"the page is {scrollWidth}px wide at {width}px");
        Assert.Empty(overflowing);
        Assert.True(ConsoleErrors.Count == 0, string.Join("\n", ConsoleErrors));
    });

    // REVIEW9 R9-4: from 1200 px the headers say "Published (UTC)"; under it they are hidden and the
    // cards' labels say it, so every width says the times are UTC.
    [Theory]
    [InlineData(390, 844)]
    [InlineData(1024, 768)]
    [InlineData(1440, 900)]
    public Task The_queue_says_its_times_are_utc_at_every_width(int width, int height) => FlowAsync(async () =>
    {
        await ImportItemsAsync(1);
        var phone = width < 768;
        var page = await SignedInPageAsync(Roles.Editor, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, IsMobile = phone, HasTouch = phone });
        await page.GotoAsync($"{BaseUrl}/?View.Category={_category}");

        var saysUtc = await page.EvaluateAsync<bool[]>("""
            (() => {
              const shown = e => getComputedStyle(e).display !== 'none' && e.closest('thead').getBoundingClientRect().width > 1;
              const headers = [...document.querySelectorAll('#queue thead th:nth-child(5), #queue thead th:nth-child(6)')].filter(shown);
              const cells = [...document.querySelectorAll('#queue tbody tr:first-child td:nth-child(5), #queue tbody tr:first-child td:nth-child(6)')];
              return [0, 1].map(n => (headers.length === 2 && headers[n].textContent.includes('UTC')) || getComputedStyle(cells[n], '::before').content.includes('UTC'));
            })()
            """);

        Assert.Equal([true, true], saysUtc);
    });
}
