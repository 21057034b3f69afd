namespace Cms.Data.Entities;

// A session someone or something else ended (an admin, a lock, a password reset, the idle timeout),
// kept under the session's key until the session would have expired anyway, so the person's next
// request can say why they are signed out, on whichever instance it lands.
public sealed class SessionEnd
{
    public required string Id { get; set; }
    public required string UserId { get; set; }
    public required string Notice { get; set; }
    public DateTimeOffset EndedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}
