using Cms.Application.Importing;
using Cms.Data;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;

namespace Cms.Application.Setup;

// What `./cms migrate` and `./cms run` do before serving.
public sealed class DatabaseSetup(CmsDbContext db, IKeyManager keys, ItemImporter importer, LinkIdentityBackfill links)
{
    public async Task MigrateAsync(CancellationToken ct)
    {
        // A migration that builds an index reads the whole table: at a million items that takes
        // longer than the 30 s default command timeout.
        db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
        await db.Database.MigrateAsync(ct);
        await links.RunAsync(ct);
        // Create the first key here, once, so app instances started together share one key ring
        // instead of each minting its own.
        if (!keys.GetAllKeys().Any(k => !k.IsRevoked && k.ExpirationDate > DateTimeOffset.UtcNow.AddDays(7)))
        {
            keys.CreateNewKey(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90));
        }
    }

    // Returns the summary line, or null when the database already holds items.
    public async Task<string?> LoadSamplesOnFirstRunAsync(string folder, CancellationToken ct)
    {
        if (await db.Items.AnyAsync(ct))
        {
            return null;
        }
        var outcome = await importer.ImportAsync(Actor.System("importer"), [folder], progress: null, ct);
        return $"Loaded samples from {folder}: {outcome.Value?.Summary ?? outcome.Result.Message}";
    }
}
