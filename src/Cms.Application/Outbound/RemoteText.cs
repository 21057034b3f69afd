namespace Cms.Application.Outbound;

public static class RemoteText
{
    // Text a remote server chose (a webhook receiver's answer, an HTTP error quoting a web server's
    // bytes), made storable: PostgreSQL text holds no NUL, and a cut through a
    // surrogate pair leaves half a character no UTF-8 encoder writes. Either failed the update of
    // the whole batch, so every endpoint in it was sent the same messages again, round after round.
    public static string Storable(string text, int max)
    {
        if (text.Length > max)
        {
            text = Cms.Core.Text.UnicodeText.Clip(text, max, "");
        }
        else if (text.Length > 0 && char.IsHighSurrogate(text[^1]))
        {
            text = text[..^1];
        }
        return text.Replace('\0', '\uFFFD');
    }
}
