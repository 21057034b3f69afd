using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Queue;

// What the queue page shows around the rows: the state filter, the empty state, dates and heat.
// Each test's items carry a category of their own, and the test looks at that view only.
public sealed class QueuePageTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private readonly string _category = "cat-" + Unique.Tag();

    private static List<string> Titles(string html) => QueuePage.Titles(html);

    private TestItem Item(string title, bool published = false, int? heat = 5) =>
        new() { Title = title + " " + _category, Category = _category, Published = published, Heat = heat, PublishedDateTime = TestItem.Utc(2024, 3, 9, 14) };

    // Each row's link opens the item within the same view (its View.* parameters), without
    // the page's cursor or anything else the address brought along.
    [Fact]
    public async Task A_rows_link_carries_the_view_and_nothing_else()
    {
        await ImportAsync(Item("Linked"));
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync($"/?View.Category={_category}&Input.Quality=1&View.Sort=heat&View.After=null_99999999999");
        var links = Html.Parse(html).QuerySelectorAll("#queue tbody td:nth-child(2) > a").Select(a => a.GetAttribute("href")).ToList();

        Assert.Matches($"^/Items/Details/[0-9]+\\?View.Category={_category}&View.Sort=heat$", Assert.Single(links));
    }

    [Fact]
    public async Task The_state_filter_is_a_checkbox_per_state_with_its_count_and_several_can_be_ticked()
    {
        await ImportAsync(Item("Waiting"), Item("Out", published: true));
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync($"/?View.Category={_category}&View.State=New&View.State=Published");
        var page = Html.Parse(html);

        Assert.Null(page.QuerySelector("select#state"));
        Assert.DoesNotContain("multiple", html);
        foreach (var state in Enum.GetNames<Cms.Core.Items.WorkflowState>())
        {
            var id = "state-" + state.ToLowerInvariant();
            var box = page.One($"input#{id}");
            Assert.Equal(("checkbox", "btn-check", "View.State", state), (box.GetAttribute("type"), box.ClassName, box.GetAttribute("name"), box.GetAttribute("value")));
            // The label right after the box names the state and holds its count.
            var label = box.NextElementSibling!;
            Assert.Equal(("label", id), (label.LocalName, label.GetAttribute("for")));
            Assert.StartsWith(state + " ", label.TextContent);
            Assert.NotNull(label.QuerySelector($"span.count-{state.ToLowerInvariant()}"));
        }
        Assert.True(page.One("input#state-new").HasAttribute("checked"));
        Assert.True(page.One("input#state-published").HasAttribute("checked"));
        Assert.False(page.One("input#state-ready").HasAttribute("checked"));
        Assert.Equal("1", QueuePage.Count(html, "New"));
        Assert.Equal("1", QueuePage.Count(html, "Published"));
        Assert.Equal(["Out " + _category, "Waiting " + _category], Titles(html).Order().ToList());
    }

    [Theory]
    [InlineData("?View.Q=nothingmatchesthis")]
    [InlineData("?View.State=Withdrawn&View.Category={0}")]
    public async Task An_empty_view_offers_to_clear_the_filters_instead_of_importing(string query)
    {
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync("/" + string.Format(query, _category));

        Assert.Empty(Titles(html));
        var page = Html.Parse(html);
        Assert.Contains("No items match this view.", html);
        var clear = page.One("a#clear-filters");
        // The plain review queue, even for someone whose default view is another one.
        Assert.Equal(("/?View.Sort=date", "Clear the filters"), (clear.GetAttribute("href"), clear.TextContent));
        Assert.DoesNotContain(page.QuerySelectorAll("a"), a => a.TextContent == "Import items");
        Assert.Null(page.QuerySelector("#bulk-form"));
    }

    [Fact]
    public async Task Dates_are_iso_in_the_date_fields_and_the_table_and_heat_minus_one_reads_unknown()
    {
        await ImportAsync(Item("Cold", heat: -1), Item("No heat", heat: null), Item("Warm", heat: 12));
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync($"/?View.Category={_category}&View.From=2024-03-01&View.To=2024-03-31");

        var page = Html.Parse(html);
        Assert.Equal(3, Titles(html).Count);
        // Text fields with an ISO pattern: a native date input shows the browser's locale (mm/dd/yyyy).
        Assert.Empty(page.QuerySelectorAll("input[type=date]"));
        var from = page.One("input#from");
        Assert.Equal(("View.From", "2024-03-01", @"\d{4}-\d{2}-\d{2}", "yyyy-mm-dd"),
            (from.GetAttribute("name"), from.GetAttribute("value"), from.GetAttribute("pattern"), from.GetAttribute("placeholder")));
        var to = page.One("input[name='View.To']");
        Assert.Equal(("2024-03-31", "yyyy-mm-dd"), (to.GetAttribute("value"), to.GetAttribute("placeholder")));
        var time = page.One("tr[data-item-id] time[datetime='2024-03-09T14:00:00Z']");
        // The date in a span of its own (kept on one line by site.css: a hyphen is a break opportunity).
        Assert.Equal(("2024-03-09 14:00", "2024-03-09"), (time.TextContent, time.One("span").TextContent));
        // Heat is the eighth column (after the received date), before the undecided links and the state.
        var heats = QueuePage.Rows(html).Select(r => r.Cells()).Where(r => r[9] == "New").Select(r => r[7]).Order().ToList();
        Assert.Equal(["12", "unknown", "unknown"], heats);
        Assert.DoesNotContain(page.QuerySelectorAll("td"), td => td.TextContent == "-1");
    }

    [Fact]
    public async Task The_topic_filters_and_the_bulk_topic_box_suggest_every_topic()
    {
        var topic = "Suggested " + _category;
        await ImportAsync(new TestItem { Title = "With a topic " + _category, Category = _category, Topics = [topic] });
        var editor = await SignedInAsync(Roles.Editor);

        var page = Html.Parse(await editor.GetStringAsync($"/?View.Category={_category}"));

        Assert.Contains(topic, page.QuerySelectorAll("datalist#topic-vocabulary option").Select(o => o.GetAttribute("value")));
        Assert.All(page.QuerySelectorAll("input[name='View.Topic']"), i => Assert.Equal("topic-vocabulary", i.GetAttribute("list")));
        Assert.Equal(2, page.QuerySelectorAll("input[name='View.Topic']").Length);
        Assert.Equal("topic-vocabulary", page.One("#bulk-topic").GetAttribute("list"));
    }

    [Fact]
    public async Task The_select_all_box_is_there_for_scripts_and_hidden_without_them()
    {
        await ImportAsync(Item("Selectable"));
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync($"/?View.Category={_category}");

        var page = Html.Parse(html);
        var all = page.One("input#select-all");
        Assert.Equal(("checkbox", "Select every item on this page"), (all.GetAttribute("type"), all.GetAttribute("aria-label")));
        Assert.True(all.HasAttribute("hidden"));
        Assert.Matches(@"^/js/queue\.js\?v=.+", page.One("script[src^='/js/queue.js']").GetAttribute("src"));
    }

    // The two POST forms (save the view, bulk actions) post to the view on screen: its View.*
    // parameters in the address's order, a repeated key joined by commas, empty values and the
    // page's cursor left out, encoded as routing encodes a query, then the handler; and each ends
    // with the antiforgery token. The markup is the form tag helper's, byte for byte (QUEUE9).
    [Fact]
    public async Task The_save_view_and_bulk_forms_post_to_the_view_on_screen_and_carry_the_antiforgery_token()
    {
        await ImportAsync(Item("Formed"));
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync(
            $"/?View.Category={_category}&View.Extra=a%2Cb&View.Extra=M%26L+%C3%A9%22%3C%27&View.After=null_99999999999&Bulk.Ids=1&view.sort=heat&View.Q=");

        var query = $"View.Category={_category}&amp;View.Extra=a,b,M%26L%20%C3%A9%22%3C%27&amp;view.sort=heat";
        Assert.Contains($"<form method=\"post\" id=\"save-view\" class=\"row g-2 align-items-end mb-3 collapse d-md-flex filters-panel\" aria-label=\"Save this view\" action=\"/?{query}&amp;handler=SaveView\">", html);
        Assert.Contains($"<form method=\"post\" id=\"bulk-form\" class=\"row g-2 align-items-end mb-3 collapse d-md-flex\" aria-label=\"Bulk actions on selected items\" action=\"/?{query}&amp;handler=Bulk\">", html);
        var page = Html.Parse(html);
        var token = Http.AntiforgeryToken(html);
        foreach (var form in new[] { page.One("form#save-view"), page.One("form#bulk-form") })
        {
            var last = form.Children.Last();
            Assert.Equal(("input", "hidden", "__RequestVerificationToken", token),
                (last.LocalName, last.GetAttribute("type"), last.GetAttribute("name"), last.GetAttribute("value")));
        }
        Assert.Contains("Save view</button></div>\n<input name=\"__RequestVerificationToken\" type=\"hidden\" value=\"", html);
        Assert.Contains("</div>\n    <input name=\"__RequestVerificationToken\" type=\"hidden\" value=\"", html);

        // Without a view in the address the forms post to the page and the handler alone.
        var plain = await editor.GetStringAsync("/");
        Assert.Contains("aria-label=\"Save this view\" action=\"/?handler=SaveView\">", plain);
    }

    // The queue's option lists, the layout's style and script links and the page's <head> and
    // <body> are written without tag helpers, and a row's id is made text once (QUEUE10): the
    // markup is what the option, link, script, URL-resolution, head and body tag helpers and the
    // boxed id wrote, byte for byte: a chosen option marked selected, a topic's quotes and
    // ampersand encoded, each asset carrying the hash of its file as asp-append-version gave it.
    [Fact]
    public async Task The_option_lists_asset_links_head_body_and_row_ids_are_written_as_before()
    {
        var topic = "M&L \"quoted\" " + _category;
        await ImportAsync(new TestItem { Title = "Optioned " + _category, Category = _category, Topics = [topic] });
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync($"/?View.Category={_category}&View.Sort=heat");

        Assert.Contains($"<option value=\"{_category}\" selected=\"selected\">{_category}</option>", html);
        Assert.Contains("<option value=\"\">any</option>", html);
        Assert.Contains("<option value=\"date\">Newest (published)</option>", html);
        Assert.Contains("<option value=\"heat\" selected=\"selected\">Heat</option>", html);
        Assert.Contains("<option value=\"any\" selected=\"selected\">any</option>", html);
        Assert.Contains("<option value=\"all\">all</option>", html);
        Assert.Contains($"<option value=\"M&amp;L &quot;quoted&quot; {_category}\"></option>", html);
        Assert.Contains("<option value=\"\" selected=\"selected\">only me</option>", html);
        // The row's id, written five times from one string (QUEUE10).
        var id = ItemId("Optioned " + _category);
        Assert.Contains($"<tr data-item-id=\"{id}\">\n<td><input type=\"checkbox\" class=\"form-check-input\" form=\"bulk-form\" name=\"Bulk.Ids\" value=\"{id}\" aria-labelledby=\"sel t{id}\" /></td>\n"
            + $"<td><a id=\"t{id}\" href=\"/Items/Details/{id}?View.Category={_category}&amp;View.Sort=heat\">Optioned {_category}</a></td>", html);
        Assert.Contains("<html lang=\"en\">\n<head>\n    <meta charset=\"utf-8\" />", html);
        Assert.Contains("</head>\n<body>\n    <a class=\"visually-hidden-focusable\" href=\"#main\">Skip to content</a>", html);
        Assert.EndsWith("</body>\n</html>\n", html);
        Assert.Contains("<link rel=\"stylesheet\" href=\"/lib/bootstrap/dist/css/bootstrap.min.css\" />", html);
        Assert.Contains($"<link rel=\"stylesheet\" href=\"/css/site.css?v={Version("css/site.css")}\" />", html);
        Assert.Contains("<script src=\"/lib/bootstrap/dist/js/bootstrap.bundle.min.js\"></script>", html);
        foreach (var script in new[] { "shortcuts", "live", "queue" })
        {
            Assert.Contains($"<script src=\"/js/{script}.js?v={Version($"js/{script}.js")}\"></script>", html);
        }
    }

    // asp-append-version's value: the file's SHA-256, base64url-encoded.
    private static string Version(string path) =>
        Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(
            System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(Repo.Root, "src", "Cms.Web", "wwwroot", path))));

    // REVIEW12 R12-8: the queue filters by a category whatever its letter case; the form shows the
    // list's category chosen (not "any"), so applying another filter from it keeps the category.
    [Fact]
    public async Task A_category_filter_typed_in_another_case_shows_the_lists_category_as_chosen()
    {
        var category = "CAT-" + Unique.Tag().ToUpperInvariant();
        await ImportAsync(new TestItem { Title = "Cased " + category, Category = category });
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync($"/?View.Category={category.ToLowerInvariant()}");

        Assert.Contains("Cased " + category, html);
        Assert.Contains($"<option value=\"{category}\" selected=\"selected\">{category}</option>", html);
    }
}
