using Cms.Core.Links;

namespace Cms.Core.Tests;

// REVIEW4 #14: a soft 404 is a title that *is* a not-found message, not a headline containing the words.
public sealed class SoftNotFoundTitleTests
{
    [Theory]
    [InlineData("Missing hiker still not found after three days - BBC News")]
    [InlineData("Flight AI404 lands safely in Delhi | Reuters")]
    [InlineData("Turnout: 24049 votes in the by-election")]
    [InlineData("Тело пропавшего туриста не найдено — РИА Новости")]
    [InlineData("Why the page you want is no longer available on some sites, explained")]
    public void A_headline_holding_the_words_is_not_a_soft_404(string title) =>
        Assert.False(LinkRules.TitleSaysNotFound($"<html><head><title>{title}</title></head></html>"));

    [Theory]
    [InlineData("Page not found | The Daily")]
    [InlineData("404 Not Found")]
    [InlineData("404 - Page not found")]
    [InlineData("Error 404")]
    [InlineData("Not Found")]
    [InlineData("Oops! Page not found")]
    [InlineData("Sorry, this page does not exist")]
    [InlineData("Страница не найдена — Известия")]
    [InlineData("Ошибка 404")]
    [InlineData("The Daily: 404")]
    public void A_title_that_is_a_not_found_message_is_a_soft_404(string title) =>
        Assert.True(LinkRules.TitleSaysNotFound($"<html><head><title>{title}</title></head></html>"));
}
