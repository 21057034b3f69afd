using Cms.Core.Stories;

namespace Cms.Core.Tests.Stories;

public sealed class StorySimilarityTests
{
    private static readonly StorySettings Settings = new();

    private static double Flat(int _) => 1.0;

    private const string Body = "The central bank of Turkey raised its benchmark interest rate to 45% on Thursday, citing inflation that remained far above its target. Policymakers said further tightening was possible if price pressures persisted into the spring, and analysts polled before the meeting had expected the move. The lira was little changed after the announcement, while bank shares rose in Istanbul trading.";

    [Fact]
    public void A_wire_story_under_a_new_headline_has_the_same_fingerprint_and_another_text_a_distant_one()
    {
        var a = StoryText.Analyze("Turkey raises key rate to 45%", Body);
        var copy = StoryText.Analyze("UPDATE 1-Turkey lifts rates - report", Body);
        var edited = StoryText.Analyze("Turkey raises key rate to 45%", Body.Replace("Thursday", "Thursday afternoon"));
        var other = StoryText.Analyze("Nvidia unveils new AI chip", "Nvidia showed its new chip at a conference in California, promising twice the speed of the previous generation for the same power, and said partners would ship systems built on it before the end of the year.");
        Assert.Equal(0, Fingerprint.Distance(a.SimHash, copy.SimHash));
        Assert.InRange(Fingerprint.Distance(a.SimHash, edited.SimHash), 1, 12);
        Assert.True(Fingerprint.Distance(a.SimHash, other.SimHash) > 16);
    }

    [Fact]
    public void Fingerprints_within_three_bits_share_a_band()
    {
        var random = new Random(5);
        for (var i = 0; i < 1000; i++)
        {
            var a = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 40);
            var b = a;
            for (var flips = random.Next(0, 4); flips > 0; flips--)
            {
                b ^= 1UL << random.Next(64);
            }
            Assert.Contains(Enumerable.Range(0, Fingerprint.Bands), band => Fingerprint.Band(a, band) == Fingerprint.Band(b, band));
        }
    }

    [Fact]
    public void Cosine_is_one_for_the_same_terms_zero_for_none_shared_and_symmetric()
    {
        var a = StoryText.Analyze("Turkey raises rate", "Inflation stays high in Ankara.");
        var b = StoryText.Analyze("Nvidia unveils chip", "California event draws crowds.");
        var c = StoryText.Analyze("Rate rise in Turkey", "Ankara sees inflation stay high.");
        Assert.Equal(1.0, StorySimilarity.Cosine(a, a, Flat, 1.0), 6);
        Assert.Equal(0.0, StorySimilarity.Cosine(a, b, Flat, 1.0));
        Assert.Equal(StorySimilarity.Cosine(a, c, Flat, 1.0), StorySimilarity.Cosine(c, a, Flat, 1.0), 9);
        Assert.InRange(StorySimilarity.Cosine(a, c, Flat, 1.0), 0.5, 1.0);
    }

    [Fact]
    public void Rare_terms_weigh_more_than_common_ones()
    {
        Assert.True(StorySimilarity.Idf(1, 1_000_000) > StorySimilarity.Idf(100_000, 1_000_000));
        Assert.True(StorySimilarity.Idf(100_000, 1_000_000) > 0);
    }

    [Fact]
    public void Two_stories_of_one_kind_with_different_names_are_not_the_same_story()
    {
        // Same wording, another country and another number: the name check says no, however high the cosine.
        var turkey = StoryText.Analyze("Central bank of Turkey raises key rate to 45%", "The central bank of Turkey raised its benchmark rate to 45% on Thursday.");
        var egypt = StoryText.Analyze("Central bank of Egypt raises key rate to 27%", "The central bank of Egypt raised its benchmark rate to 27% on Thursday.");
        var turkeyAgain = StoryText.Analyze("Turkey lifts benchmark interest rate to 45% to fight inflation", "Policymakers in Turkey said inflation remained too high and took the key rate to 45%.");
        Assert.True(StorySimilarity.Cosine(turkey, egypt, Flat, 1.0) > 0.5);
        Assert.Equal(0.0, StorySimilarity.Score(turkey, egypt, Flat, Settings));
        Assert.True(StorySimilarity.Score(turkey, turkeyAgain, Flat, Settings) >= Settings.MinSimilarity);
    }

    [Fact]
    public void A_near_copy_scores_as_certain()
    {
        var a = StoryText.Analyze("Turkey raises key rate to 45%", Body);
        var b = StoryText.Analyze("Lira steady as Ankara surprises nobody", Body);
        Assert.Equal(1.0, StorySimilarity.Score(a, b, Flat, Settings));
    }

    [Fact]
    public void Keys_are_the_rarest_terms_and_a_search_covers_every_bucket_of_the_window()
    {
        var terms = StoryText.Analyze("Turkey raises rate", "Inflation stays high in Ankara.");
        var rare = StoryText.TermId(StoryText.Words("Ankara")[0].Term);
        var keys = StoryKeys.KeyTerms(terms, t => t == rare ? 1 : 40, 1000, Settings).ToList();
        Assert.Equal(rare, keys[0]);
        // Terms found in more than KeyMaxShare of all items are never keys.
        Assert.Empty(StoryKeys.KeyTerms(terms, _ => 900, 1000, Settings));

        var at = DateTimeOffset.Parse("2024-03-10T12:00:00Z");
        var stored = StoryKeys.Stored(terms, keys, at);
        foreach (var other in new[] { at.AddHours(-71), at.AddHours(71), at.AddDays(-2.9), at.AddDays(2.9) })
        {
            var search = StoryKeys.Search(terms, keys, other, TimeSpan.FromHours(72));
            Assert.Contains(search, stored.Contains);
        }
        Assert.DoesNotContain(StoryKeys.Search(terms, keys, at.AddDays(20), TimeSpan.FromHours(72)), stored.Contains);
    }

    [Fact]
    public void Invalid_settings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StorySettings { MinSimilarity = 0 }.EnsureValid());
        Assert.Throws<ArgumentOutOfRangeException>(() => new StorySettings { Window = TimeSpan.Zero }.EnsureValid());
        new StorySettings().EnsureValid();
    }
}
