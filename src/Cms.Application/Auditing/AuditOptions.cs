using Microsoft.Extensions.Configuration;

namespace Cms.Application.Auditing;

// Settings `Audit:*` (environment: Audit__AnchorFolder, ...).
public sealed class AuditOptions
{
    public const string DefaultAnchorFolder = ".data/audit-anchors";

    // Whether this process runs the sealing loop (the web app's hosted service; `./cms worker` always
    // does). Every instance may: sealers take turns on the database's lock.
    public bool Sealer { get; init; } = true;

    // How often the loop seals what has committed since its last round.
    public TimeSpan SealInterval { get; init; } = TimeSpan.FromSeconds(1);

    // Events chained per sealing transaction.
    public int SealBatch { get; init; } = 10_000;

    // How often the head is written out to the anchor file (only when it moved).
    public TimeSpan AnchorInterval { get; init; } = TimeSpan.FromMinutes(1);

    // `audit verify` fails when an event has waited longer than this to be sealed: a sealer is not
    // running (or keeps failing), and those events are not covered by the chain or an anchor yet.
    public TimeSpan SealWithin { get; init; } = TimeSpan.FromMinutes(15);

    // Outside the database: one file per database, `<database>.anchors`, a line per anchor.
    public string AnchorFolder { get; init; } = DefaultAnchorFolder;

    public static AuditOptions From(IConfiguration configuration, string contentRoot)
    {
        var section = configuration.GetSection("Audit");
        return new AuditOptions
        {
            Sealer = section.GetValue("Sealer", true),
            SealInterval = TimeSpan.FromMilliseconds(Math.Max(50, section.GetValue("SealMilliseconds", 1000))),
            SealBatch = Math.Max(1, section.GetValue("SealBatch", 10_000)),
            AnchorInterval = TimeSpan.FromSeconds(Math.Max(1, section.GetValue("AnchorSeconds", 60))),
            SealWithin = TimeSpan.FromMinutes(Math.Max(1, section.GetValue("SealWithinMinutes", 15))),
            AnchorFolder = CheckoutPaths.Resolve(section["AnchorFolder"] is { Length: > 0 } f ? f : DefaultAnchorFolder, contentRoot),
        };
    }
}
