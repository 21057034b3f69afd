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

    [Fact]
    public void Terms_packed_for_storage_unpack_to_the_same_terms()
    {
        var terms = StoryText.Analyze("Turkey raises rate to 45%", "Shares of Nvidia rose 16% in Frankfurt. Путин said the Central Bank of Turkey acted.");
        var back = StoryTerms.Unpack(terms.Pack(), terms.SimHash)!;
        Assert.Equal(terms.Title, back.Title);
        Assert.Equal(terms.All, back.All);
        Assert.Equal(terms.Names, back.Names);
        Assert.Equal(terms.Numbers, back.Numbers);
        Assert.Equal(terms.SimHash, back.SimHash);
        Assert.NotEmpty(back.Numbers);
    }

    [Fact]
    public void A_stored_array_that_is_not_a_packing_unpacks_to_nothing()
    {
        Assert.Null(StoryTerms.Unpack([], 0));
        Assert.Null(StoryTerms.Unpack([5, 0, 0, 1, 2], 0));
        Assert.Null(StoryTerms.Unpack([-1, 0, 0], 0));
    }

    [Fact]
    public void Plain_and_accented_words_fold_alike_whichever_path_they_take()
    {
        Assert.Equal("путин", StoryText.Fold("ПУТИН"));
        Assert.Equal("елка", StoryText.Fold("Ёлка"));
        Assert.Equal("йод", StoryText.Fold("Йод"));
        Assert.Equal("йод", StoryText.Fold("и\u0306од"));
        Assert.Equal("cafe", StoryText.Fold("CAFÉ"));
        Assert.Equal("nvidia", StoryText.Fold("NVIDIA"));
        Assert.Equal("12", StoryText.Fold("\uFF11\uFF12"));
    }
}
