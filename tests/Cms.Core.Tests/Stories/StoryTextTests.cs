using Cms.Core.Stories;

namespace Cms.Core.Tests.Stories;

public sealed class StoryTextTests
{
    private static List<string> Terms(string text) => StoryText.Words(text).Select(w => w.Term).ToList();

    [Fact]
    public void Inflections_of_one_word_become_one_term_in_English_and_Russian()
    {
        Assert.Single(Terms("raise raises raised raising").Distinct());
        Assert.Single(Terms("price prices").Distinct());
        Assert.Single(Terms("ставка ставку ставки").Distinct());
        Assert.Single(Terms("повысил повысила повысили").Distinct());
    }

    [Fact]
    public void Cyrillic_is_transliterated_so_names_meet_across_languages()
    {
        Assert.Equal(Terms("Putin"), Terms("Путин"));
        Assert.Equal(Terms("Putin"), Terms("Путина"));
        Assert.Equal(Terms("Nvidia 16%"), Terms("Nvidia 16%"));
    }

    [Fact]
    public void Stop_words_html_accents_and_yo_are_folded_away()
    {
        Assert.Equal(Terms("cafe election"), Terms("<p>The <b>café</b> &amp; the election</p>"));
        Assert.Equal(Terms("елка"), Terms("ёлка"));
        Assert.Empty(Terms("the and of в на и"));
    }

    [Fact]
    public void Names_are_capitalized_words_inside_a_sentence_and_numbers()
    {
        var words = StoryText.Words("Shares of Nvidia rose 16% in Frankfurt.");
        var names = words.Where(w => w.Name).Select(w => w.Term).ToList();
        Assert.Equal(Terms("Nvidia 16 Frankfurt"), names);
        // "Shares" starts the sentence: a capital there says nothing.
        Assert.DoesNotContain(Terms("shares")[0], names);
    }

    [Fact]
    public void A_title_in_title_case_names_nothing_by_its_capitals()
    {
        var words = StoryText.Words("Central Bank Raises Key Interest Rate Again", headline: true);
        Assert.DoesNotContain(words, w => w.Name);
        Assert.Contains(StoryText.Words("Central bank of Turkey raises rate", headline: true), w => w.Name);
    }

    [Fact]
    public void Work_is_bounded_whatever_the_length_of_the_text()
    {
        var huge = string.Join(' ', Enumerable.Repeat("word", 1_000_000));
        Assert.Equal(StoryText.MaxWords, StoryText.Words(huge).Count);
        var terms = StoryText.Analyze("Title", huge);
        Assert.Equal(2, terms.All.Length);
    }

    [Fact]
    public void Empty_text_gives_empty_terms_and_never_throws()
    {
        Assert.True(StoryText.Analyze("", null).IsEmpty);
        Assert.True(StoryText.Analyze("!!! ---", "<br/>").IsEmpty);
    }
}
