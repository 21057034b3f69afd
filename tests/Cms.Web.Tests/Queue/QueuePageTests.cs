using System.Text.RegularExpressions;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Queue;

// What the queue page shows around the rows: the state filter, the empty state, dates and heat.
// Each test's items carry a category of their own, and the test looks at that view only.
public sealed partial class QueuePageTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private readonly string _category = "cat-" + Unique.Tag();

    [GeneratedRegex("""<tr data-item-id="\d+">\s*<td><input [^>]*/></td>\s*<td>\s*<a [^>]*>([^<]+)</a>""")]
    private static partial Regex RowTitle();

    private static List<string> Titles(string html) => RowTitle().Matches(html).Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();

    private TestItem Item(string title, bool published = false, int? heat = 5) =>
        new() { Title = title + " " + _category, Category = _category, Published = published, Heat = heat, PublishedDateTime = TestItem.Utc(2024, 3, 9, 14) };

    [Fact]
    public async Task The_state_filter_is_a_checkbox_per_state_with_its_count_and_several_can_be_ticked()
    {
        await ImportAsync(Item("Waiting"), Item("Out", published: true));
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync($"/?View.Category={_category}&View.State=New&View.State=Published");

        Assert.DoesNotContain("<select id=\"state\"", html);
        Assert.DoesNotContain("multiple", html);
        foreach (var state in Enum.GetNames<Cms.Core.Items.WorkflowState>())
        {
            var id = "state-" + state.ToLowerInvariant();
            Assert.Matches($"""<input type="checkbox" class="btn-check" id="{id}" name="View.State" value="{state}"[^>]*/>\s*<label [^>]*for="{id}">{state} <span class="count-{state.ToLowerInvariant()}">""", html);
        }
        Assert.Matches("""id="state-new" name="View.State" value="New" checked="checked""", html);
        Assert.Matches("""id="state-published" name="View.State" value="Published" checked="checked""", html);
        Assert.DoesNotMatch("""id="state-ready" name="View.State" value="Ready" checked""", html);
        Assert.Contains("""<span class="count-new">1</span>""", html);
        Assert.Contains("""<span class="count-published">1</span>""", html);
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
        Assert.Contains("No items match this view.", html);
        Assert.Contains("""href="/" id="clear-filters">Clear the filters</a>""", html);
        Assert.DoesNotContain("Import items</a>", html);
        Assert.DoesNotContain("id=\"bulk-form\"", html);
    }

    [Fact]
    public async Task Dates_are_iso_in_the_date_fields_and_the_table_and_heat_minus_one_reads_unknown()
    {
        await ImportAsync(Item("Cold", heat: -1), Item("No heat", heat: null), Item("Warm", heat: 12));
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync($"/?View.Category={_category}&View.From=2024-03-01&View.To=2024-03-31");

        Assert.Equal(3, Titles(html).Count);
        // Text fields with an ISO pattern: a native date input shows the browser's locale (mm/dd/yyyy).
        Assert.DoesNotContain("type=\"date\"", html);
        Assert.Matches("""<input id="from" name="View.From" value="2024-03-01" [^>]*pattern="\\d\{4\}-\\d\{2\}-\\d\{2\}" placeholder="yyyy-mm-dd""", html);
        Assert.Matches("""name="View.To" value="2024-03-31" [^>]*placeholder="yyyy-mm-dd""", html);
        Assert.Contains("""<time datetime="2024-03-09T14:00:00Z"><span class="text-nowrap">2024-03-09</span> <span class="text-nowrap">14:00</span></time>""", html);
        var heats = Regex.Matches(html, """<td>(unknown|-?\d+)</td>\s*<td>\d+</td>\s*<td>New</td>""").Select(m => m.Groups[1].Value).Order().ToList();
        Assert.Equal(["12", "unknown", "unknown"], heats);
        Assert.DoesNotContain("<td>-1</td>", html);
    }

    [Fact]
    public async Task The_select_all_box_is_there_for_scripts_and_hidden_without_them()
    {
        await ImportAsync(Item("Selectable"));
        var editor = await SignedInAsync(Roles.Editor);

        var html = await editor.GetStringAsync($"/?View.Category={_category}");

        Assert.Contains("""<input type="checkbox" class="form-check-input" id="select-all" aria-label="Select every item on this page" hidden />""", html);
        Assert.Matches("""<script src="/js/queue.js\?v=[^"]+"></script>""", html);
    }
}
