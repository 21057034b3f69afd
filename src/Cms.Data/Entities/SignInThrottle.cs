namespace Cms.Data.Entities;

// Failed password sign-ins for one account name from one client address. Lockout counts per
// client, so a stranger elsewhere cannot lock the owner out; unknown names get rows too, so known
// and unknown accounts cost the same work.
public sealed class SignInThrottle
{
    public required string Account { get; set; }
    public required string Client { get; set; }
    public int Failures { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
