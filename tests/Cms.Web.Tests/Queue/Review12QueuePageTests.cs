using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Queue;

// REVIEW12 evidence (failing test, not a fix; the rule predates this stop, the markup was rewritten
// by QUEUE10): the queue filters by a category whatever its letter case ("cat-x" finds the items of
// "CAT-X", QueueQuery.CategorySpellingAsync), but the category select marks an option selected
// only when its spelling equals the typed one, so the form shows "any" while the rows are
// filtered, and applying any other filter from that form drops the category filter.
public sealed class Review12QueuePageTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
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
