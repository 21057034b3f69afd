namespace Cms.Data.Entities;

// A site that reads published items through the API and the feeds, with its tokens.
public sealed class DeliverySite
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public List<DeliveryToken> Tokens { get; set; } = [];
}

// Only the SHA-256 of a token is kept (tokens are 256 random bits, so a fast hash is enough); the
// token itself is shown once. A rotation gives the old token an expiry (the overlap).
public sealed class DeliveryToken
{
    public long Id { get; set; }
    public long SiteId { get; set; }
    public required string Hash { get; set; }

    // The last characters, to tell tokens apart in lists.
    public required string Hint { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
}

// A refused API or feed request, recorded once per presented token (or client, without one) and
// hour, so a misconfigured site polling every second writes one audit event an hour, not thousands.
public sealed class DeliveryAccessFailure
{
    public required string Key { get; set; }
    public DateTimeOffset Hour { get; set; }
}
