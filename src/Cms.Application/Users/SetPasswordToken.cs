using System.Buffers.Text;
using System.Text;
using Cms.Data.Entities;
using Microsoft.AspNetCore.Identity;

namespace Cms.Application.Users;

// A set-password link carries Identity's reset token in its URL, so the token travels as base64url
// of its UTF-8 bytes; it is encoded and decoded only here.
internal static class SetPasswordToken
{
    public static async Task<string> IssueAsync(UserManager<CmsUser> users, CmsUser user) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(await users.GeneratePasswordResetTokenAsync(user)));

    // Empty when the text is not base64url.
    public static string Decode(string token)
    {
        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            return "";
        }
    }
}
