using System.Net;
using System.Text.RegularExpressions;
using OtpNet;

namespace Cms.Web.Tests.Accounts;

// What an authenticator app does with the shared key: RFC 6238 codes (HMAC-SHA1, 30 s, 6 digits).
public static partial class Authenticator
{
    [GeneratedRegex("""<kbd id="shared-key">([^<]+)</kbd>""")]
    private static partial Regex SharedKeyPattern();

    public static string KeyFrom(string enablePageHtml)
    {
        var match = SharedKeyPattern().Match(enablePageHtml);
        Assert.True(match.Success, "the page shows no shared key");
        return Normalize(WebUtility.HtmlDecode(match.Groups[1].Value));
    }

    public static string Normalize(string shownKey) => shownKey.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();

    public static string Code(string key) => new Totp(Base32Encoding.ToBytes(key)).ComputeTotp();

    // A code for the next 30-second step, for when the current one was just used.
    public static string NextCode(string key)
    {
        var totp = new Totp(Base32Encoding.ToBytes(key));
        return totp.ComputeTotp(DateTime.UtcNow.AddSeconds(30));
    }
}
