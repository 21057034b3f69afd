using Cms.Web.Tests.Infrastructure;
using OtpNet;

namespace Cms.Web.Tests.Accounts;

// What an authenticator app does with the shared key: RFC 6238 codes (HMAC-SHA1, 30 s, 6 digits).
public static class Authenticator
{
    public static string KeyFrom(string enablePageHtml)
    {
        var key = Html.Parse(enablePageHtml).QuerySelector("kbd#shared-key");
        Assert.True(key is not null, "the page shows no shared key");
        return Normalize(key!.TextContent);
    }

    public static string Normalize(string shownKey) => shownKey.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();

    public static string Code(string key) => new Totp(Base32Encoding.ToBytes(key)).ComputeTotp();

    // A six-digit code that is none of the codes of the steps around now (the server accepts a
    // few steps either side), so "wrong" does not depend on the moment the test runs.
    public static string WrongCode(string key)
    {
        var totp = new Totp(Base32Encoding.ToBytes(key));
        var near = Enumerable.Range(-5, 11).Select(step => totp.ComputeTotp(DateTime.UtcNow.AddSeconds(30 * step))).ToHashSet();
        return Enumerable.Range(0, 12).Select(n => n.ToString("D6")).First(code => !near.Contains(code));
    }

    // A code for the next 30-second step, for when the current one was just used.
    public static string NextCode(string key)
    {
        var totp = new Totp(Base32Encoding.ToBytes(key));
        return totp.ComputeTotp(DateTime.UtcNow.AddSeconds(30));
    }
}
