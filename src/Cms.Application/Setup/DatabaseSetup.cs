using Cms.Application.Importing;
using Cms.Data;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

namespace Cms.Application.Setup;

// What `./cms migrate` and `./cms run` do before serving.
public sealed class DatabaseSetup(CmsDbContext db, IKeyManager keys, ItemImporter importer, IConfiguration configuration, LinkIdentityBackfill links)
{
    // The setup lock of this configuration's database (SetupLock); `./cms run` holds it around the
    // migration, the admin and the samples.
    public static Task<SetupLock> LockAsync(IConfiguration configuration, CancellationToken ct) =>
        SetupLock.HoldAsync(CmsApplication.OwnerConnectionString(configuration) ?? CmsApplication.ConnectionString(configuration), ct);

    // `./cms migrate`: the migration under the same lock as `./cms run`'s, so two of them (or one
    // of each) started together on a new database never migrate at once.
    public async Task MigrateLockedAsync(CancellationToken ct)
    {
        await using var setup = await LockAsync(configuration, ct);
        await MigrateAsync(ct);
    }

    // As the owner (ConnectionStrings:CmsOwner), then the app's role granted its data privileges;
    // without an owner connection the app's own role migrates (it is the owner then), and only when
    // something is pending, so an app role that owns nothing starts on a migrated database.
    public async Task MigrateAsync(CancellationToken ct)
    {
        if (CmsApplication.OwnerConnectionString(configuration) is { } owner)
        {
            await DatabaseRoles.MigrateAsync(owner, db.Database.GetConnectionString(), ct);
        }
        else if ((await db.Database.GetPendingMigrationsAsync(ct)).Any())
        {
            await DatabaseRoles.MigrateAsync(db.Database.GetConnectionString()!, null, ct);
        }
        await links.RunAllAsync(ct);
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
