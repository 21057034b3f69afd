using Cms.Core.Text;

namespace Cms.Core.Tests;

// REVIEW10 evidence (failing on 3380fd3): Clip's fallback for one cluster longer than the bound
// and TextDiff's leading context still leave a lone joiner, which R9-6 / POLISH9 said no clip does.
public sealed class Review10ClipEvidenceTests
{
    // 👨🏽‍👨‍👨‍… : one extended grapheme cluster (GB11 chains ExtPict ZWJ ExtPict), every joiner kept
    // by the joiner rule (a base, its tone, then a continuation).
    private static string Chain(string first, int joined)
    {
        var text = first;
        for (var i = 0; i < joined; i++)
        {
            text += "\u200D\U0001F468";
        }
        return text;
    }

    [Fact]
    public void Clip_of_a_joined_cluster_longer_than_the_bound_never_ends_in_a_joiner()
    {
        var chain = Chain("\U0001F468\U0001F3FD", 10);
        Assert.Null(UnicodeText.NameProblem(chain));

        var clipped = UnicodeText.Clip(chain, 5);

        // Observed: "👨🏽\u200D…" (the cut falls between code points, right after the joiner).
        Assert.DoesNotContain("\u200D…", clipped);
    }

    [Fact]
    public void The_topic_error_of_SaveItemEdits_style_clip_at_20_never_ends_in_a_joiner()
    {
        // SaveItemEdits: $"Topic '{UnicodeText.Clip(bad, 20)}' is longer than ...": a 20-unit cut of a
        // toned chain (5 units a person) lands right after the fourth joiner.
        var chain = Chain("\U0001F468\U0001F3FD", 0);
        while (chain.Length < 60)
        {
            chain += "\u200D\U0001F468\U0001F3FD";
        }

        var clipped = UnicodeText.Clip(chain, 20);

        Assert.NotEqual('\u200D', clipped[^2]);
    }

    [Fact]
    public void The_history_diffs_leading_context_never_starts_with_a_joiner()
    {
        // The unchanged start is shown as its last ContextChars (160) units; here they begin at the
        // family's joiner: "\u200D👩aaa… ".
        var lead = "\U0001F468\u200D\U0001F469" + new string('a', 156) + " ";
        var diff = TextDiff.Of(lead + "X", lead + "Y");

        var context = diff.Pieces.First(p => p.Kind == TextDiff.Kind.Same).Text;

        Assert.NotEqual('\u200D', context[0]);
    }
}
