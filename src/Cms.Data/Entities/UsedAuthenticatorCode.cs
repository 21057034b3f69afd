namespace Cms.Data.Entities;

// An authenticator code that signed someone in (or confirmed a set-up): RFC 6238 says a verifier
// accepts each code once, and Identity accepts a code for several 30-second steps. Kept in
// PostgreSQL so every instance refuses the replay; rows older than the window are reused.
public sealed class UsedAuthenticatorCode
{
    public required string UserId { get; set; }
    public required string Code { get; set; }
    public DateTimeOffset UsedAt { get; set; }
}
