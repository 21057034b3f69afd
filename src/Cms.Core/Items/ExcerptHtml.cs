using AngleSharp.Dom;
using AngleSharp.Html;
using Cms.Core.Text;
using Ganss.Xss;

namespace Cms.Core.Items;

// The one policy for an excerpt's untrusted HTML, and the excerpt as the CMS stores, shows and
// publishes it: what the sanitizer keeps (a narrow allow-list, links only to absolute http(s) or
// mailto, no styles, no forms), with invisible and bidi characters removed from the *decoded*
// text. Removing them from the source instead would join what they split into markup the outlet
// never sent (`<scr\u200Bipt>` into `<script>`, `&#x20\u200B2E;` into an override's reference),
// and a reference such as `&#x202E;` would stay an override for whoever renders the file.
public static class ExcerptHtml
{
    private static readonly HashSet<string> DropWithContent = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "template", "iframe", "object", "embed", "noscript", "textarea", "select", "svg", "math",
    };

    private static readonly HtmlSanitizer Shared = NewSanitizer();

    // A fresh instance of the policy (HtmlSanitizer is safe to share once configured; the pages
    // build their own to write with their encoder).
    public static HtmlSanitizer NewSanitizer()
    {
        var sanitizer = new HtmlSanitizer(new HtmlSanitizerOptions
        {
            AllowedTags = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code" },
            AllowedAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href" },
            AllowedSchemes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "http", "https", "mailto" },
            UriAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href" },
            AllowedCssProperties = new HashSet<string>(),
            AllowedAtRules = new HashSet<AngleSharp.Css.Dom.CssRuleType>(),
            AllowedClasses = new HashSet<string>(),
        })
        {
            // Text inside an unknown wrapper (span, div) stays; dangerous elements go with their content.
            KeepChildNodes = true,
        };
        sanitizer.RemovingTag += (_, e) =>
        {
            _removedTag = true;
            if (DropWithContent.Contains(e.Tag.NodeName))
            {
                e.Tag.TextContent = string.Empty;
            }
        };
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is IElement { NodeName: "A" } link)
            {
                if (LinkTarget(link.GetAttribute("href") ?? "") is { } href)
                {
                    link.SetAttribute("href", href);
                }
                else
                {
                    link.RemoveAttribute("href");
                }
                link.SetAttribute("rel", "noopener noreferrer nofollow");
            }
        };
        return sanitizer;
    }

    // Absolute http(s) or mailto only (no relative or protocol-relative links). An address with an
    // invisible or bidi character in it is written percent-encoded (UrlRules.Shown), as a browser
    // sends it: the link goes where its written form says.
    private static string? LinkTarget(string href)
    {
        if (UrlRules.IsAbsoluteHttp(href))
        {
            return UrlRules.Shown(href);
        }
        return href.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) && UnicodeText.FindInvisibleOrBidi(href) < 0 ? href : null;
    }

    // The longest excerpt (an item's or a related link's) the CMS stores. What is stored is the
    // sanitizer's rendering, which the pages and feeds sanitize again on each request
    // (ExcerptSanitizer.MaxHtmlLength is this bound), and it is longer than what was received: a
    // link gains rel="noopener noreferrer nofollow" and quotes, '>' becomes &gt;, a no-break space
    // &nbsp;. The parser refuses an excerpt whose rendering is longer (the import limits bound only
    // what is received, and are settings): twice the default received limit keeps any real
    // excerpt, and bounds each page's work whatever arrives or is configured.
    public const int MaxStoredLength = 40_000;

    // The work of one excerpt's parse is bounded by its shape, not only its length (REVIEW9): an
    // HTML tree builder reopens every formatting element left open (em, b, a ...) at each new
    // element or text after a block ends ("reconstruct the active formatting elements"), cloning
    // them, so 1,000 <em id=N> then 1,000 <p> (13.9k characters) built a million elements: 3.4 s
    // and 77 MB for one file; and a deep tree (4,400 nested <em>) costs each item page hundreds of
    // ms. Refused past these, with the field's error; a real excerpt nests a few levels (p, a, em,
    // a list in a blockquote) and carries one or two formatting elements, far inside both.
    public const int MaxNesting = 100;
    public const int MaxReopenedFormatting = 20_000;

    private static readonly HashSet<string> Formatting = new(StringComparer.Ordinal)
    {
        "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
    };

    private static readonly HashSet<string> Void = new(StringComparer.Ordinal)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    };

    // Start tags that close an open <p> (and the next of their kind closes an open one of them).
    private static readonly HashSet<string> ClosesParagraph = new(StringComparer.Ordinal)
    {
        "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl", "fieldset", "figcaption", "figure",
        "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "main", "menu", "nav", "ol", "p", "pre", "section",
        "summary", "table", "ul", "li", "dd", "dt",
    };

    private static readonly HashSet<string> ClosesItsKind = new(StringComparer.Ordinal) { "p", "li", "dd", "dt", "option", "tr", "td", "th" };

    // Why the tree builder would do too much work for this excerpt, or null. One pass of the
    // tokenizer (linear), following the tree builder as far as the bound needs: the elements open
    // at once (a <p> or <li> closes the one before it, a block closes an open <p>, an end tag
    // closes what it encloses), and the sum, over each element and text, of the formatting elements
    // not closed by their end tag (at most three alike, as the tree builder keeps): an upper bound
    // of the clones it makes.
    public static string? ShapeProblem(string html)
    {
        if (html.AsSpan().IndexOf('<') < 0)
        {
            return null;
        }
        var tokenizer = new AngleSharp.Html.Parser.HtmlTokenizer(new AngleSharp.Text.TextSource(html), AngleSharp.Html.HtmlEntityProvider.Resolver);
        var open = new List<string>();
        var formatting = new List<(string Name, string Key)>();
        var foreign = new ForeignContent();
        long reopened = 0;
        long adopted = 0;
        while (tokenizer.Get() is { Type: not AngleSharp.Html.Parser.HtmlTokenType.EndOfFile } token)
        {
            if (token.Type is AngleSharp.Html.Parser.HtmlTokenType.Character or AngleSharp.Html.Parser.HtmlTokenType.StartTag)
            {
                reopened += formatting.Count;
                if (reopened > MaxReopenedFormatting)
                {
                    return $"leaves so many formatting elements (em, b, a ...) open that a browser would reopen them more than {MaxReopenedFormatting:N0} times; close each where it ends";
                }
            }
            if (token.Type == AngleSharp.Html.Parser.HtmlTokenType.StartTag)
            {
                var name = token.Name.ToLowerInvariant();
                var tag = token.AsTag();
                // Inside svg or math (REVIEW10 R10-1) <style> or <title> is a foreign element, not raw
                // text, and "/>" closes an element.
                var isForeign = foreign.Start(tag, name);
                if (!isForeign)
                {
                    tokenizer.State = TextState(name) ?? tokenizer.State;
                    foreign.Enter(tag, name);
                }
                if (Formatting.Contains(name))
                {
                    var key = name + string.Concat(tag.Attributes.Select(a => "\0" + a.Name + "=" + a.Value));
                    if (formatting.Count(f => f.Key == key) >= 3)
                    {
                        formatting.RemoveAt(formatting.FindIndex(f => f.Key == key));
                    }
                    formatting.Add((name, key));
                }
                if (ClosesItsKind.Contains(name))
                {
                    PopTo(open, name);
                }
                if (ClosesParagraph.Contains(name))
                {
                    PopTo(open, "p");
                }
                if (!Void.Contains(name) && !(tag.IsSelfClosing && (isForeign || name is "svg" or "math")))
                {
                    open.Add(name);
                    if (open.Count > MaxNesting)
                    {
                        return $"nests elements more than {MaxNesting} deep";
                    }
                }
            }
            else if (token.Type == AngleSharp.Html.Parser.HtmlTokenType.EndTag)
            {
                var name = token.Name.ToLowerInvariant();
                foreign.End(name);
                if (formatting.FindLastIndex(f => f.Name == name) is var last and >= 0)
                {
                    formatting.RemoveAt(last);
                }
                // A formatting element's end tag with a block opened inside it ("<b><div>x</b>"): the
                // adoption agency moves the nodes from it down (REVIEW10 R10-3), and the block stays
                // open, so the next element nests inside it: 1,500 of them nested 1,500 deep and
                // allocated 132-181 MB in one parse. Only the formatting element closes here.
                if (Formatting.Contains(name) && open.LastIndexOf(name) is var at and >= 0 && open.FindIndex(at, e => Special.Contains(e)) >= 0)
                {
                    adopted += open.Count - at;
                    if (adopted > MaxReopenedFormatting)
                    {
                        return $"closes so many formatting elements (em, b, a ...) around blocks they hold that a browser would move elements more than {MaxReopenedFormatting:N0} times; close each inside its block";
                    }
                    open.RemoveAt(at);
                }
                else
                {
                    PopTo(open, name);
                }
            }
        }
        return null;
    }

    // The tree builder's "special" elements that may be open (the void ones never are): a
    // formatting element's end tag with one of them open inside it runs the adoption agency.
    private static readonly HashSet<string> Special = new(StringComparer.Ordinal)
    {
        "address", "applet", "article", "aside", "blockquote", "body", "button", "caption", "center", "colgroup", "dd", "details", "dir", "div",
        "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header",
        "hgroup", "html", "iframe", "li", "listing", "main", "marquee", "menu", "nav", "noembed", "noframes", "noscript", "object", "ol", "p",
        "plaintext", "pre", "script", "search", "section", "select", "style", "summary", "table", "tbody", "td", "template", "textarea",
        "tfoot", "th", "thead", "title", "tr", "ul", "xmp", "mi", "mo", "mn", "ms", "mtext", "annotation-xml", "foreignobject", "desc",
    };

    private static void PopTo(List<string> open, string name)
    {
        if (open.LastIndexOf(name) is var at and >= 0)
        {
            open.RemoveRange(at, open.Count - at);
        }
    }

    // What the tree builder tells the tokenizer after this start tag: these hold text, not markup.
    private static AngleSharp.Html.Parser.HtmlParseMode? TextState(string name) => name switch
    {
        "script" => AngleSharp.Html.Parser.HtmlParseMode.Script,
        "style" or "iframe" or "noembed" or "noframes" or "xmp" or "noscript" => AngleSharp.Html.Parser.HtmlParseMode.Rawtext,
        "textarea" or "title" => AngleSharp.Html.Parser.HtmlParseMode.RCData,
        "plaintext" => AngleSharp.Html.Parser.HtmlParseMode.Plaintext,
        _ => null,
    };

    // The excerpt as stored, shown and published. Plain text (no markup, no reference, no carriage
    // return, which an HTML parser reads as a line feed, no NUL, which it drops, no U+FFFF, which it
    // replaces (AngleSharp's end-of-input mark), and no invisible
    // character) is written as the sanitizer would write it without a parse: as it is, but for '>'
    // and the no-break space, which AngleSharp's serialization escapes. The import's common case.
    public static string Shown(string received) =>
        !IsPlainText(received) ? Sanitized(received)
        : received.AsSpan().IndexOfAny(Escaped) < 0 ? received
        : received.Replace(">", "&gt;", StringComparison.Ordinal).Replace("\u00A0", "&nbsp;", StringComparison.Ordinal);

    public static bool IsPlainText(string text) =>
        text.AsSpan().IndexOfAny(NotPlain) < 0 && UnicodeText.FindInvisibleOrBidi(text) < 0;

    private static readonly System.Buffers.SearchValues<char> NotPlain = System.Buffers.SearchValues.Create("<&\r\0\uFFFF");

    private static readonly System.Buffers.SearchValues<char> Escaped = System.Buffers.SearchValues.Create(">\u00A0");

    // Set by the sanitizer when it removes an element (per thread: Sanitize runs on its caller's).
    [ThreadStatic]
    private static bool _removedTag;

    private const int MaxPasses = 4;

    // The sanitizer's path whatever the text (Shown without its shortcut; tests and the bench). A
    // removed element whose children stay (KeepChildNodes) can leave a tree no HTML parser builds
    // from its serialization: a link foster-parented out of a removed <table> into another link, a
    // paragraph inside a paragraph across a removed <button>. Written out, that reads back as
    // another tree, so the pages (which sanitize the stored excerpt again) and any consumer of the
    // published file would see something else than what is stored. So after a removal the output is
    // sanitized again until it no longer changes: from the second pass on only allowed markup is
    // read, whose parse writes out as itself (in practice one more pass; bounded all the same).
    public static string Sanitized(string received)
    {
        _removedTag = false;
        var shown = Shared.Sanitize(received, "", ShownText.Instance);
        for (var pass = 1; _removedTag && pass < MaxPasses; pass++)
        {
            _removedTag = false;
            var again = Shared.Sanitize(shown, "", ShownText.Instance);
            if (again == shown)
            {
                break;
            }
            shown = again;
            _removedTag = true;
        }
        return shown;
    }

    // The excerpt as plain text, for the places that show text, not markup (a related link's card,
    // a history diff, an over-long excerpt): tags dropped (with the content of the ones the
    // sanitizer drops with theirs), references decoded, a line break at a paragraph, a list item or
    // a <br>, invisible and bidi characters removed; the caller encodes it once. Clipped after the
    // extraction, so a cut never falls inside a tag, a reference or a surrogate pair. Stored
    // excerpts are bounded by the import's limits; a longer value is read up to MaxTextSource, cut
    // before a tag.
    public static string? Text(string? html, int maxChars = int.MaxValue)
    {
        if (html is null)
        {
            return null;
        }
        var text = IsPlainText(html) ? html : Extract(html);
        return UnicodeText.Clip(text, maxChars);
    }

    public const int MaxTextSource = 200_000;

    private static readonly HashSet<string> Breaks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "br", "li", "ul", "ol", "blockquote", "div", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table",
    };

    // With AngleSharp's tokenizer, not its tree builder: one pass, linear however deep the nesting
    // (building the tree of 20,000 nested elements took seconds).
    private static string Extract(string html)
    {
        if (html.Length > MaxTextSource)
        {
            var cut = html.LastIndexOf('<', MaxTextSource);
            html = html[..(cut > 0 ? cut : MaxTextSource)];
        }
        var tokenizer = new AngleSharp.Html.Parser.HtmlTokenizer(new AngleSharp.Text.TextSource(html), AngleSharp.Html.HtmlEntityProvider.Resolver);
        var text = new System.Text.StringBuilder(html.Length);
        string? dropping = null;
        var depth = 0;
        var foreign = new ForeignContent();
        while (tokenizer.Get() is { Type: not AngleSharp.Html.Parser.HtmlTokenType.EndOfFile } token)
        {
            switch (token.Type)
            {
                case AngleSharp.Html.Parser.HtmlTokenType.Character when dropping is null && !foreign.Inside:
                    text.Append(UnicodeText.StripInvisible(token.Data));
                    break;
                case AngleSharp.Html.Parser.HtmlTokenType.StartTag:
                    var name = token.Name.ToLowerInvariant();
                    var tag = token.AsTag();
                    if (foreign.Start(tag, name))
                    {
                        break;
                    }
                    tokenizer.State = TextState(name) ?? tokenizer.State;
                    if (foreign.Inside)
                    {
                        // HTML inside an integration point: still dropped with its svg or math.
                        break;
                    }
                    if (ClosesItself(tag, name))
                    {
                        Break(text, name, dropping);
                    }
                    else if (dropping is null && DropWithContent.Contains(name))
                    {
                        if (!foreign.Enter(tag, name))
                        {
                            (dropping, depth) = (name, 1);
                        }
                    }
                    else if (dropping == name)
                    {
                        depth++;
                    }
                    else
                    {
                        Break(text, name, dropping);
                    }
                    break;
                case AngleSharp.Html.Parser.HtmlTokenType.EndTag:
                    var end = token.Name.ToLowerInvariant();
                    if (foreign.Inside)
                    {
                        if (foreign.End(end))
                        {
                            Break(text);
                        }
                    }
                    else if (dropping == end && --depth == 0)
                    {
                        dropping = null;
                    }
                    else
                    {
                        Break(text, end, dropping);
                    }
                    break;
            }
        }
        return text.ToString().Trim();
    }

    // HTML honours "/>" only on foreign elements (svg, math); on an HTML element it is ignored, so
    // `<script/>alert(1)</script>` is a script holding "alert(1)", dropped with it as the sanitizer
    // drops it (REVIEW9 R9-5). A void element (embed) holds nothing, "/>" or not.
    private static bool ClosesItself(AngleSharp.Html.Parser.Tokens.HtmlTagToken tag, string name) =>
        name is "embed" || (tag.IsSelfClosing && (name is "svg" or "math" || !DropWithContent.Contains(name)));

    // The HTML elements whose start tag ends svg or math content (the tree builder's rules for
    // foreign content): what follows is HTML again, and the sanitizer keeps its text.
    private static readonly HashSet<string> LeaveForeign = new(StringComparer.Ordinal)
    {
        "b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt", "em", "embed", "h1", "h2", "h3", "h4", "h5", "h6",
        "head", "hr", "i", "img", "li", "listing", "menu", "meta", "nobr", "ol", "p", "pre", "ruby", "s", "small", "span", "strong", "strike",
        "sub", "sup", "table", "tt", "u", "ul", "var",
    };

    // svg or math content as the tree builder reads it (its rules for foreign content), one model
    // for the text extraction and the shape bound: no element holds raw text there and "/>" closes
    // an element; an integration point (svg's foreignObject, desc, title; math's mi ... annotation-xml)
    // holds HTML again; at its top an HTML start tag such as <em> or <p> (LeaveForeign), </p> or
    // </br> ends it.
    private struct ForeignContent
    {
        private string? _root;
        private int _depth;
        private int _integration;

        // Inside svg or math (in an integration point or not).
        public readonly bool Inside => _root is not null;

        // At the start of a non-self-closing <svg> or <math> read as HTML: true when it enters it.
        public bool Enter(AngleSharp.Html.Parser.Tokens.HtmlTagToken tag, string name)
        {
            if (_root is not null || tag.IsSelfClosing || name is not ("svg" or "math"))
            {
                return false;
            }
            (_root, _depth, _integration) = (name, 1, 0);
            return true;
        }

        // A start tag: true when it is a foreign element (no text state, no HTML rule), false when
        // it is read as HTML (outside, inside an integration point, or one that ends the content).
        public bool Start(AngleSharp.Html.Parser.Tokens.HtmlTagToken tag, string name)
        {
            if (_root is null)
            {
                return false;
            }
            if (_integration > 0)
            {
                if (name == _root && !tag.IsSelfClosing)
                {
                    _depth++;
                }
                return false;
            }
            if (LeavesForeignContent(tag, name))
            {
                _root = null;
                return false;
            }
            if (tag.IsSelfClosing)
            {
                return true;
            }
            if (IsIntegrationPoint(_root, name))
            {
                _integration++;
            }
            else if (name == _root)
            {
                _depth++;
            }
            return true;
        }

        // An end tag inside: true when a </p> or </br> ended the content (a line break in the text).
        public bool End(string name)
        {
            if (_root is null)
            {
                return false;
            }
            if (_integration > 0 && IsIntegrationPoint(_root, name))
            {
                _integration--;
            }
            else if (_integration == 0 && name is "p" or "br")
            {
                _root = null;
                return true;
            }
            else if (name == _root && --_depth == 0)
            {
                _root = null;
            }
            return false;
        }
    }

    private static bool LeavesForeignContent(AngleSharp.Html.Parser.Tokens.HtmlTagToken tag, string name) =>
        LeaveForeign.Contains(name) || (name == "font" && (tag.GetAttribute("color") != "" || tag.GetAttribute("face") != "" || tag.GetAttribute("size") != ""));

    // Inside svg or math, where HTML is read again (still inside the dropped element).
    private static bool IsIntegrationPoint(string foreign, string name) =>
        foreign == "svg" ? name is "foreignobject" or "desc" or "title" : name is "mi" or "mo" or "mn" or "ms" or "mtext" or "annotation-xml";

    private static void Break(System.Text.StringBuilder text, string tag, string? dropping)
    {
        if (dropping is null && Breaks.Contains(tag))
        {
            Break(text);
        }
    }

    private static void Break(System.Text.StringBuilder text)
    {
        while (text.Length > 0 && text[^1] is ' ' or '\t')
        {
            text.Length--;
        }
        if (text.Length > 0 && text[^1] != '\n')
        {
            text.Append('\n');
        }
    }

    // AngleSharp's serialization (escapes & < > and no-break space) of the text without the
    // invisible characters, removed after decoding and before escaping.
    private sealed class ShownText : HtmlMarkupFormatter
    {
        public static new readonly ShownText Instance = new();

        public override string Text(ICharacterData text) => EscapeText(UnicodeText.StripInvisible(text.Data));
    }
}
