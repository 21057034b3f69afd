using System.Text.Json;
using Cms.Core.Auditing;
using Cms.Migrations.Sql;
using Cms.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace Cms.Application.Tests;

// CATEGORY: case twins stored before the rule (the list held "World", "world" and "WORLD" side by
// side) are merged by the migration CategoriesOneRegardlessOfCase into the oldest, with their audit
// events; a delivered document is left as delivered. The database is taken back to the migration
// before, seeded as such a database was, and migrated forward (its own database: the class's).
public sealed class CategoryCaseMigrationTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private const string Before = "20261207012000_SearchJoiners";

    private Task OwnerAsync(string sql, params object[] values) => app.OwnerAsync(sql, values);

    private Task MigrateAsync(string? target = null) => MigrateAsync(app, target);

    // The class's database taken to a migration (back or forward), as its owner.
    internal static Task MigrateAsync(ApplicationFixture app, string? target) => app.MigrateAsync(target);

    [Fact]
    public async Task Case_twins_stored_before_are_merged_into_the_oldest_with_an_audit_event_each_and_a_second_run_changes_nothing()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var ids = await app.ImportAsync(
            new TestItem { Category = $"World {tag}" }.ToYaml(), new TestItem { Category = $"World {tag}" }.ToYaml(),
            new TestItem { Category = $"World {tag}" }.ToYaml(), new TestItem { Category = $"World {tag}" }.ToYaml(),
            new TestItem { Category = $"Sport {tag}" }.ToYaml());
        var oldest = app.Read(db => db.Categories.Single(c => c.Name == $"World {tag}").Id);
        await MigrateAsync(Before);
        // As stored before the rule: twins in the list, items under each, one only on an item, and a
        // delivered document under a twin.
        await OwnerAsync("INSERT INTO categories (name, from_import) VALUES ($1, true), ($2, true)", $"world {tag}", $"WORLD {tag}");
        await OwnerAsync("UPDATE items SET category = $1 WHERE id = $2", $"world {tag}", ids[1]);
        await OwnerAsync("UPDATE items SET category = $1 WHERE id = $2", $"WORLD {tag}", ids[2]);
        await OwnerAsync("UPDATE items SET category = $1 WHERE id = $2", $"wORLD {tag}", ids[3]);
        var delivered = JsonSerializer.Serialize(new { category = $"world {tag}", title = "As delivered" });
        await OwnerAsync("""
            INSERT INTO published_items (item_id, version, withdrawn, seq, changed_at, first_published_at, category, topics, document, output, output_hash)
            VALUES ($1, 1, false, nextval('delivery_seq'), now(), now(), $2, '{}', $3, 'category: world', 'h')
            """, ids[1], $"world {tag}", delivered);
        var versions = app.Read(db => ids.Select(id => db.Items.Single(i => i.Id == id).Version).ToList());

        await MigrateAsync();

        Assert.Equal([$"Sport {tag}", $"World {tag}"], app.Read(db => db.Categories.Where(c => c.Name.EndsWith(tag)).Select(c => c.Name).ToList()).Order(StringComparer.Ordinal));
        Assert.Equal(oldest, app.Read(db => db.Categories.Single(c => c.Name == $"World {tag}").Id));
        Assert.Equal([$"World {tag}", $"World {tag}", $"World {tag}", $"World {tag}", $"Sport {tag}"],
            app.Read(db => ids.Select(id => db.Items.Single(i => i.Id == id).Category).ToList()));
        Assert.Equal([true, false, false, false, true], app.Read(db => ids.Select((id, n) => db.Items.Single(i => i.Id == id).Version == versions[n]).ToList()));
        var published = app.Read(db => db.PublishedItems.Single(p => p.ItemId == ids[1]));
        Assert.Equal(($"World {tag}", delivered), (published.Category, published.Document));

        var merged = app.Read(db => db.AuditEvents.Where(e => e.Action == AuditActions.CategoryMerged).OrderBy(e => e.Id).ToList());
        Assert.All(merged, e => Assert.Equal((CategoryCaseSql.Actor, AuditTargets.Category, oldest.ToString()), (e.Actor, e.EntityType, e.EntityId)));
        string? Field(string? data, string name) => JsonDocument.Parse(data!).RootElement.GetProperty(name).ToString();
        Assert.Equal([($"world {tag}", $"World {tag}", "1"), ($"WORLD {tag}", $"World {tag}", "1")],
            merged.Select(e => (Field(e.Data, "from"), Field(e.Data, "into"), Field(e.Data, "items"))));
        var moved = app.Read(db => db.AuditEvents.Where(e => e.Action == AuditActions.ItemCategoryMerged).OrderBy(e => e.Id).ToList());
        Assert.Equal(ids[1..4].Select(id => id.ToString()), moved.Select(e => e.EntityId));
        Assert.All(moved, e => Assert.Equal((CategoryCaseSql.Actor, AuditTargets.Item), (e.Actor, e.EntityType)));
        var change = JsonDocument.Parse(moved[2].Data!).RootElement.GetProperty("changes")[0];
        Assert.Equal(("category", $"wORLD {tag}", $"World {tag}"), (change.GetProperty("field").GetString(), change.GetProperty("before").GetString(), change.GetProperty("after").GetString()));

        // A second run finds nothing: no event, no row touched.
        var events = app.Read(db => db.AuditEvents.Count());
        var after = app.Read(db => ids.Select(id => db.Items.Single(i => i.Id == id).Version).ToList());
        await OwnerAsync(CategoryCaseSql.Merge);
        Assert.Equal(events, app.Read(db => db.AuditEvents.Count()));
        Assert.Equal(after, app.Read(db => ids.Select(id => db.Items.Single(i => i.Id == id).Version).ToList()));
    }
}

// REVIEW11 R11-4 and R11-2: the migration CategoryKeyCanonicalCaseless replaces the key with the
// canonical caseless match, merges the twins that reveals (as the case merge did, audited), lists
// every category an item carries that the list lacked (audited as the import lists one) and
// recomputes the stored keys. Its own database: the class's.
public sealed class CategoryKeyMigrationTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private const string Before = "20261207030533_CategoriesOneRegardlessOfCase";

    private Task OwnerAsync(string sql, params object[] values) => app.OwnerAsync(sql, values);

    private Task MigrateAsync(string? target = null) => CategoryCaseMigrationTests.MigrateAsync(app, target);

    [Fact]
    public async Task Twins_under_the_canonical_key_are_merged_an_items_unlisted_category_joins_the_list_and_a_second_run_changes_nothing()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var ids = await app.ImportAsync(
            new TestItem { Category = $"ǰournal {tag}" }.ToYaml(), new TestItem { Category = $"ǰournal {tag}" }.ToYaml(),
            new TestItem { Category = $"Sport {tag}" }.ToYaml());
        var oldest = app.Read(db => db.Categories.Single(c => c.Name == $"ǰournal {tag}").Id);
        await MigrateAsync(Before);
        // As the old key allowed: "J" + U+030C beside "ǰ" in the list, an item under each, and an
        // item whose category (set by an accepted revision) the list lacks.
        await OwnerAsync("INSERT INTO categories (name, from_import) VALUES ($1, true)", $"J\u030COURNAL {tag}");
        await OwnerAsync("UPDATE items SET category = $1 WHERE id = $2", $"J\u030COURNAL {tag}", ids[1]);
        await OwnerAsync("UPDATE items SET category = $1 WHERE id = $2", $"Novel {tag}", ids[2]);

        await MigrateAsync();

        Assert.Equal([$"Novel {tag}", $"Sport {tag}", $"ǰournal {tag}"], app.Read(db => db.Categories.Where(c => c.Name.EndsWith(tag)).Select(c => c.Name).ToList()).Order(StringComparer.Ordinal));
        Assert.Equal(oldest, app.Read(db => db.Categories.Single(c => c.Name == $"ǰournal {tag}").Id));
        Assert.Equal([$"ǰournal {tag}", $"ǰournal {tag}", $"Novel {tag}"], app.Read(db => ids.Select(id => db.Items.Single(i => i.Id == id).Category).ToList()));
        var merged = app.Read(db => db.AuditEvents.Where(e => e.Action == AuditActions.CategoryMerged && e.EntityId == oldest.ToString()).Select(e => e.Data).ToList());
        Assert.Equal($"J\u030COURNAL {tag}", JsonDocument.Parse(Assert.Single(merged)!).RootElement.GetProperty("from").GetString());
        Assert.Single(app.Read(db => db.AuditEvents.Where(e => e.Action == AuditActions.ItemCategoryMerged && e.EntityId == ids[1].ToString()).ToList()));
        var novel = app.Read(db => db.Categories.Single(c => c.Name == $"Novel {tag}").Id);
        var created = Assert.Single(app.Read(db => db.AuditEvents.Where(e => e.Action == AuditActions.CategoryCreated && e.EntityId == novel.ToString()).ToList()));
        Assert.Equal(CategoryKeySql.Actor, created.Actor);
        Assert.Equal(0L, (long)(await app.OwnerAsync("SELECT count(*) FROM categories WHERE normalized_name <> cms_category_key(name)", []))!);

        var events = app.Read(db => db.AuditEvents.Count());
        await OwnerAsync(CategoryKeySql.ListItemCategories);
        await OwnerAsync(CategoryCaseSql.Merge);
        Assert.Equal(events, app.Read(db => db.AuditEvents.Count()));
    }
}
