using Cms.Web.Tests.Browser;
using Microsoft.Playwright;

namespace Cms.Web.Tests.Review9;

// REVIEW9: the queue's cards (under 1200 px) write provider and category once, as cells of their
// own beside each other (flex-shrink, min-width 0). Before QUEUE7 they sat in the title cell, which
// wraps anywhere; a provider or category of one long word must still not push the page sideways.
public sealed class QueueCardLongNameTests(BrowserFixture fixture) : BrowserTest(fixture), IClassFixture<BrowserFixture>
{
    private readonly string _category = "cat-" + Unique.Tag();

    private const string LongProvider = "LandesrundfunkanstaltNachrichtenredaktionWirtschaftsressortOnlineausgabeAbend";

    [Theory]
    [InlineData(390, 844)]
    public Task A_provider_name_of_one_long_word_wraps_inside_its_card_and_nothing_scrolls_sideways(int width, int height) => FlowAsync(async () =>
    {
        await ImportAsync([new TestItem
        {
            Title = $"Central bank raises its key rate again {_category}",
            Category = _category,
            ProviderName = LongProvider,
            ProviderDomain = "example.com",
            PublishedDateTime = TestItem.Utc(2024, 3, 9, 1),
            Quality = 50,
        }]);
        var phone = width < 768;
        var page = await SignedInPageAsync(Roles.Editor, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, IsMobile = phone, HasTouch = phone });
        await page.GotoAsync($"{BaseUrl}/?View.Category={_category}");

        var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        var provider = page.Locator("#queue tbody tr td:nth-child(3)").First;
        var overflow = await provider.EvaluateAsync<string>("td => td.scrollWidth + 'px of text in a ' + td.clientWidth + 'px cell'");
        var fits = await provider.EvaluateAsync<bool>("td => td.scrollWidth <= td.clientWidth + 1");

        Assert.True(scrollWidth <= width, $"the page is {scrollWidth}px wide at {width}px ({overflow})");
        Assert.True(fits, overflow);
    });

    // Before QUEUE7 the queue was a table with "Published (UTC)" and "Received (UTC)" headers from
    // 768 px up; the cards (768-1199 px) label the times "Published: " and "· received ", and the
    // headers are display: none there, so nothing on screen says the times are UTC.
    [Theory]
    [InlineData(1024, 768)]
    [InlineData(1440, 900)]
    public Task The_queue_says_its_times_are_utc_at_tablet_and_desktop_widths(int width, int height) => FlowAsync(async () =>
    {
        await ImportAsync([new TestItem { Title = $"Rates held {_category}", Category = _category, ProviderName = "Wire", ProviderDomain = "example.com", PublishedDateTime = TestItem.Utc(2024, 3, 9, 1) }]);
        var page = await SignedInPageAsync(Roles.Editor, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        await page.GotoAsync($"{BaseUrl}/?View.Category={_category}");

        var saysUtc = await page.EvaluateAsync<bool>("""
            (() => {
              const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).display !== 'none';
              const headers = [...document.querySelectorAll('#queue thead th')].filter(shown).some(th => th.textContent.includes('UTC'));
              const labels = [...document.querySelectorAll('#queue tbody tr:first-child td:nth-child(5), #queue tbody tr:first-child td:nth-child(6)')]
                .some(td => getComputedStyle(td, '::before').content.includes('UTC'));
              return headers || labels;
            })()
            """);

        Assert.True(saysUtc, $"no visible header or label says the times are UTC at {width}px");
    });
}
