namespace Cms.Data.Entities;

// One signed-in session: the cookie carries only Id; the authentication ticket lives here, so
// deleting the row ends the session at the next request on every instance.
public sealed class UserSession
{
    public required string Id { get; set; }
    public required string UserId { get; set; }
    public required byte[] Ticket { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public string? UserAgent { get; set; }
    public string? Ip { get; set; }
}
