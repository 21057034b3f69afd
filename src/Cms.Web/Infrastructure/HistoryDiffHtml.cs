using System.Globalization;
using Cms.Core.Text;
using Microsoft.AspNetCore.Html;

namespace Cms.Web.Infrastructure;

// A history diff as HTML: each piece of the stored text, encoded, in <del>, <ins> or a plain span,
// with nothing between them, so the text reads exactly as stored; a piece cut short says how many
// characters it leaves out, in a marker outside the text. The text is appended unencoded and
// encoded when written, by the encoder the page writes everything else with (HtmlEncoding).
public static class HistoryDiffHtml
{
    public static IHtmlContent Of(TextDiff.Result diff)
    {
        var html = new HtmlContentBuilder();
        for (var i = 0; i < diff.Pieces.Count; i++)
        {
            var piece = diff.Pieces[i];
            var leading = i == 0 && piece.Kind == TextDiff.Kind.Same;
            if (leading && piece.LeftOut > 0)
            {
                LeftOut(html, $"[… {piece.LeftOut.ToString("N0", CultureInfo.InvariantCulture)} characters]");
            }
            var (tag, css) = piece.Kind switch
            {
                TextDiff.Kind.Deleted => ("del", "text-danger"),
                TextDiff.Kind.Inserted => ("ins", "text-success"),
                _ => ("span", "history-same"),
            };
            html.AppendHtml($"<{tag} class=\"{css}\">").Append(piece.Text).AppendHtml($"</{tag}>");
            if (!leading && piece.LeftOut > 0)
            {
                LeftOut(html, $"[… {piece.LeftOut.ToString("N0", CultureInfo.InvariantCulture)} more characters]");
            }
        }
        return html;
    }

    private static void LeftOut(HtmlContentBuilder html, string text) =>
        html.AppendHtml("<span class=\"history-left-out text-muted\">").Append(text).AppendHtml("</span>");
}
