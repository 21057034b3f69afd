using System.Globalization;
using System.Text.Encodings.Web;
using Cms.Core.Text;
using Microsoft.AspNetCore.Html;

namespace Cms.Web.Infrastructure;

// A history diff as HTML: each piece of the stored text, encoded, in <del>, <ins> or a plain span,
// with nothing between them, so the text reads exactly as stored; a piece cut short says how many
// characters it leaves out, in a marker outside the text.
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
                html.AppendHtml(LeftOut($"[… {piece.LeftOut.ToString("N0", CultureInfo.InvariantCulture)} characters]"));
            }
            var (tag, css) = piece.Kind switch
            {
                TextDiff.Kind.Deleted => ("del", "text-danger"),
                TextDiff.Kind.Inserted => ("ins", "text-success"),
                _ => ("span", "history-same"),
            };
            html.AppendHtml($"<{tag} class=\"{css}\">{HtmlEncoder.Default.Encode(piece.Text)}</{tag}>");
            if (!leading && piece.LeftOut > 0)
            {
                html.AppendHtml(LeftOut($"[… {piece.LeftOut.ToString("N0", CultureInfo.InvariantCulture)} more characters]"));
            }
        }
        return html;
    }

    private static string LeftOut(string text) => $"<span class=\"history-left-out text-muted\">{HtmlEncoder.Default.Encode(text)}</span>";
}
