namespace Cms.Data.Entities;

// A person whose e-mail digest the mail server refused: not tried again before Until, each refusal
// doubling the wait. In the database, so every instance's digest loop respects it.
public sealed class DigestRefusal
{
    public required string UserId { get; set; }
    public DateTimeOffset Until { get; set; }
    public int Refusals { get; set; }
}
