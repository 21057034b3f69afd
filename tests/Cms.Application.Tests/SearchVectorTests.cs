using Cms.Application.Importing;
using Cms.Application.Items;
using Cms.Core.Items;
using Cms.Data.Entities;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Application.Tests;

// items.search_vector is kept by a trigger, not generated (migration SearchVectorSeal): the
// importer may supply vectors computed beforehand, sealed for their text. Whatever a writer does,
// the stored vector is item_search_vector of the row's own title and excerpt. Since migration
// ImportWriteCost the seals of an INSERT or COPY are checked once per statement, after it, and a
// row stored with a valid seal keeps it.
public sealed class SearchVectorTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private async Task<T> AsAsync<T>(string cs, Func<NpgsqlConnection, Task<T>> work)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        return await work(conn);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection conn, string sql, params (string Name, object Value)[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    // Rows whose vector is not that of their own text, or that kept a seal other than that of their
    // own text and vector (read as the owner: the key is the owner's only).
    private Task<long> DisagreeingAsync() => AsAsync(app.OwnerConnectionString, c => ScalarAsync<long>(c, """
        SELECT count(*) FROM items CROSS JOIN cms_private.search_vector_key k
        WHERE search_vector IS DISTINCT FROM item_search_vector(title, excerpt)
           OR search_vector_seal <> cms_private.search_vector_seal(k.key, coalesce(title, '') || ' ' || coalesce(excerpt, ''), search_vector)
        """));

    private Task<bool> FindsAsync(long id, string word) => AsAsync(app.ConnectionString, c => ScalarAsync<bool>(c,
        "SELECT search_vector @@ to_tsquery('simple_folded', @word) FROM items WHERE id = @id", ("word", word), ("id", id)));

    // What the importer's vector stage gets from the database: the vector (tsvectorsend) and its seal.
    private static async Task<SealedVector> SealedAsync(NpgsqlConnection conn, string title, string? excerpt)
    {
        await using var cmd = new NpgsqlCommand("SELECT tsvectorsend(vector), seal FROM search_vectors(ARRAY[@t], ARRAY[@e])", conn);
        cmd.Parameters.AddWithValue("t", title);
        cmd.Parameters.AddWithValue("e", (object?)excerpt ?? DBNull.Value).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return new SealedVector(reader.GetFieldValue<byte[]>(0), reader.GetFieldValue<byte[]>(1));
    }

    // A new item written by the importer's own COPY (ItemCopy) with the given vector, or none.
    private static async Task<long> CopyAsync(NpgsqlConnection conn, string title, string? excerpt, SealedVector? vector) =>
        (await CopyAsync(conn, [(title, excerpt, vector)]))[0];

    // New items written by one COPY (one statement), in order.
    private static async Task<List<long>> CopyAsync(NpgsqlConnection conn, IReadOnlyList<(string Title, string? Excerpt, SealedVector? Vector)> rows)
    {
        var ids = await ItemCopy.ReserveIdsAsync(conn, rows.Count, CancellationToken.None);
        var items = rows.Select((r, i) => new Item
        {
            Id = ids[i], StoryId = ids[i], OriginalUrl = $"https://vectors.example/{ids[i]}", FileName = $"{ids[i]}.md", Title = r.Title, Excerpt = r.Excerpt,
            SourceYaml = "x", SourceHash = "h", ImportedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow, State = WorkflowState.New,
        }).ToList();
        await ItemCopy.WriteItemsAsync(conn, items, "items", rows.Select(r => r.Vector).ToList(), CancellationToken.None);
        return ids;
    }

    [Fact]
    public async Task Every_writer_leaves_the_vector_of_the_items_own_text()
    {
        // Imported (COPY, vectors supplied by the importer), then updated by a newer source while
        // untouched (EF update), and another one edited by an editor, then a revision applied.
        var followed = new TestItem { Title = "Numbat sighting", Excerpt = "Gamma" };
        var edited = new TestItem { Title = "Quokka census", Excerpt = "Alpha", Topics = ["AI"] };
        var ids = await app.ImportAsync(followed.ToYaml(), edited.ToYaml());

        Assert.Equal([ids[0]], await app.ImportAsync((followed with { Title = "Bilby sighting" }).ToYaml()));
        var save = app.Read(db => new SaveItemEdits.Command(ids[1], db.Items.Single(i => i.Id == ids[1]).Version, 70, null, ["AI"], [], null));
        Assert.True((await app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor(), save, CancellationToken.None))).Succeeded);
        var revised = new[] { ImportSources.FromBytes("revised.md", System.Text.Encoding.UTF8.GetBytes((edited with { Title = "Wombat census", Excerpt = "Beta" }).ToYaml())) };
        Assert.Equal(1, (await app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, revised, null, CancellationToken.None))).Value!.Revisions);
        var revision = (await app.RunAsync(s => s.GetRequiredService<SourceRevisions>().CompareAsync(ids[1], CancellationToken.None)))!.RevisionId;
        var version = app.Read(db => db.Items.Single(i => i.Id == ids[1]).Version);
        Assert.True((await app.RunAsync(s => s.GetRequiredService<SourceRevisions>()
            .AcceptAsync(Actors.Editor(), ids[1], revision, version, ["title", "excerpt"], CancellationToken.None))).Succeeded);

        Assert.True(await FindsAsync(ids[0], "bilby"));
        Assert.False(await FindsAsync(ids[0], "numbat"));
        Assert.True(await FindsAsync(ids[1], "wombat"));
        Assert.False(await FindsAsync(ids[1], "quokka"));
        Assert.Equal(0, await DisagreeingAsync());
    }

    [Fact]
    public async Task A_vector_sealed_for_other_text_or_not_sealed_is_computed_again()
    {
        await AsAsync(app.ConnectionString, async conn =>
        {
            var other = await SealedAsync(conn, "Platypus", "eggs");
            var forOtherText = await CopyAsync(conn, "Echidna", "spines", other);
            var forgedSeal = await CopyAsync(conn, "Echidna", "spines", other with { Seal = new byte[32] });
            var own = await SealedAsync(conn, "Echidna", "spines");
            var sealOfOtherText = await CopyAsync(conn, "Echidna", "spines", own with { Vector = other.Vector });

            Assert.True(await FindsAsync(forOtherText, "echidna"));
            Assert.False(await FindsAsync(forOtherText, "platypus"));
            Assert.False(await FindsAsync(forgedSeal, "platypus"));
            Assert.False(await FindsAsync(sealOfOtherText, "platypus"));

            // An UPDATE that sets the vector (or its text's vector with the seal of another row) gets it computed again.
            await ScalarAsync<int>(conn, "UPDATE items SET search_vector = to_tsvector('simple', 'platypus') WHERE id = @id RETURNING 1", ("id", forOtherText));
            await ScalarAsync<int>(conn, "UPDATE items SET title = 'Dingo', search_vector_seal = @seal WHERE id = @id RETURNING 1", ("seal", own.Seal), ("id", forgedSeal));
            Assert.False(await FindsAsync(forOtherText, "platypus"));
            Assert.True(await FindsAsync(forgedSeal, "dingo"));
            return 0;
        });
        Assert.Equal(0, await DisagreeingAsync());
    }

    // The seals of one COPY are checked together after it (migration ImportWriteCost): a forged row
    // among sealed ones gets its vector computed, and the rows beside it keep theirs.
    [Fact]
    public async Task A_forged_row_in_a_copy_of_sealed_rows_gets_its_vector_computed_and_the_others_keep_theirs()
    {
        await AsAsync(app.ConnectionString, async conn =>
        {
            var other = await SealedAsync(conn, "Platypus", "eggs");
            var own = await SealedAsync(conn, "Echidna", "spines");
            var ownToo = await SealedAsync(conn, "Bandicoot", null);
            var ids = await CopyAsync(conn,
            [
                ("Echidna", "spines", own),
                ("Echidna", "spines", other),
                ("Bandicoot", null, ownToo),
                ("Echidna", "spines", own with { Vector = other.Vector }),
                ("Echidna", "spines", other with { Seal = new byte[32] }),
                ("Echidna", "spines", null),
            ]);

            foreach (var id in ids)
            {
                Assert.False(await FindsAsync(id, "platypus"));
                Assert.True(await FindsAsync(id, id == ids[2] ? "bandicoot" : "echidna"));
            }
            return 0;
        });
        Assert.Equal(0, await DisagreeingAsync());
    }

    // The per-row seal check (search_vector_sealed) is not what keeps the rule for a COPY: with it
    // made to fail, sealed rows are still stored, and still checked.
    [Fact]
    public async Task The_seals_of_a_copy_are_checked_after_it_without_the_per_row_check()
    {
        var definition = await AsAsync(app.OwnerConnectionString, c => ScalarAsync<string>(c, "SELECT pg_get_functiondef('search_vector_sealed(text, text, tsvector, bytea)'::regprocedure)"));
        await AsAsync(app.ConnectionString, async conn =>
        {
            var own = await SealedAsync(conn, "Wallaby", "hops");
            var other = await SealedAsync(conn, "Platypus", "eggs");
            await AsAsync(app.OwnerConnectionString, c => ScalarAsync<object>(c, """
                CREATE OR REPLACE FUNCTION search_vector_sealed(title text, excerpt text, vector tsvector, seal bytea) RETURNS boolean
                  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
                  AS $$ BEGIN RAISE EXCEPTION 'checked row by row'; END $$
                """));
            try
            {
                var ids = await CopyAsync(conn, [("Wallaby", "hops", own), ("Wallaby", "hops", own with { Vector = other.Vector })]);

                Assert.True(await FindsAsync(ids[0], "wallaby"));
                Assert.True(await FindsAsync(ids[1], "wallaby"));
                Assert.False(await FindsAsync(ids[1], "platypus"));
            }
            finally
            {
                await AsAsync(app.OwnerConnectionString, c => ScalarAsync<object>(c, definition));
            }
            return 0;
        });
        Assert.Equal(0, await DisagreeingAsync());
    }

    // Migration ImportWriteCost: a vector PostgreSQL compresses is compressed with LZ4, not pglz.
    [Fact]
    public async Task A_long_items_vector_is_compressed_with_lz4()
    {
        // 600 distinct words alike: a vector of about 12 KB that compresses well.
        var words = string.Join(' ', Enumerable.Range(0, 600).Select(i => $"lexemeword{i:D4}"));
        await AsAsync(app.ConnectionString, async conn =>
        {
            var id = await CopyAsync(conn, "Compressible", words, await SealedAsync(conn, "Compressible", words));

            Assert.Equal("lz4", await ScalarAsync<string>(conn, "SELECT pg_column_compression(search_vector) FROM items WHERE id = @id", ("id", id)));
            return 0;
        });
    }

    [Fact]
    public async Task A_vector_sealed_for_the_rows_own_text_is_stored_as_supplied_with_its_seal()
    {
        // To tell a supplied vector from one the trigger computes, the owner makes the function
        // return something else once the vector is sealed; restored afterwards.
        var definition = await AsAsync(app.OwnerConnectionString, c => ScalarAsync<string>(c, "SELECT pg_get_functiondef('item_search_vector(text, text)'::regprocedure)"));
        await AsAsync(app.ConnectionString, async conn =>
        {
            var own = await SealedAsync(conn, "Cassowary", "casque");
            long supplied = 0, computed = 0;
            await AsAsync(app.OwnerConnectionString, c => ScalarAsync<object>(c,
                "CREATE OR REPLACE FUNCTION item_search_vector(title text, excerpt text) RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$ SELECT 'recomputed'::tsvector $$"));
            try
            {
                supplied = await CopyAsync(conn, "Cassowary", "casque", own);
                computed = await CopyAsync(conn, "Cassowary", "casque", null);

                Assert.True(await FindsAsync(supplied, "cassowary"));
                Assert.True(await FindsAsync(computed, "recomputed"));
                await using var sealedRows = new NpgsqlCommand("SELECT array_agg(id) FROM items WHERE id = ANY(@ids) AND search_vector_seal = @seal", conn);
                sealedRows.Parameters.AddWithValue("ids", new[] { supplied, computed });
                sealedRows.Parameters.AddWithValue("seal", own.Seal);
                Assert.Equal([supplied], (long[])(await sealedRows.ExecuteScalarAsync())!);
            }
            finally
            {
                await AsAsync(app.OwnerConnectionString, c => ScalarAsync<object>(c, definition));
                await ScalarAsync<object>(conn, "DELETE FROM items WHERE id = ANY(@ids)", ("ids", new[] { supplied, computed }));
            }
            return 0;
        });
    }

    [Fact]
    public async Task The_importer_supplies_the_vectors_of_its_new_items()
    {
        var profile = app.Services.GetRequiredService<ImportProfile>();
        var before = profile.SuppliedVectors;

        var ids = await app.ImportAsync(new TestItem { Title = "Kookaburra laughs" }.ToYaml(), new TestItem { Title = "Lyrebird mimics", Excerpt = "chainsaw" }.ToYaml());

        Assert.Equal(2, profile.SuppliedVectors - before);
        Assert.True(await FindsAsync(ids[1], "chainsaw"));
        Assert.Equal(0, await DisagreeingAsync());
    }

    // POLISH9: rows stored before migration SearchJoiners hold a Persian word written with ZWNJ as
    // two words; the migration gives every row holding a joiner its vector again, so the word is
    // found whole, and every row still agrees with item_search_vector.
    [Fact]
    public async Task The_joiner_migration_gives_rows_holding_a_joiner_their_vector_again()
    {
        var word = "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645";
        var id = (await app.ImportAsync(new TestItem { Title = "Joined " + word }.ToYaml()))[0];
        var owner = app.OwnerConnectionString;
        // As stored before: the vector of the text with the joiner read as a blank (the trigger,
        // which would compute today's, held off).
        await AsAsync(owner, async c =>
        {
            await using var cmd = new NpgsqlCommand("ALTER TABLE items DISABLE TRIGGER items_search_vector_update; UPDATE items SET search_vector = to_tsvector('simple_folded', translate(title, U&'\\200C', ' ')) WHERE id = @id; ALTER TABLE items ENABLE TRIGGER items_search_vector_update", c);
            cmd.Parameters.AddWithValue("id", id);
            return await cmd.ExecuteNonQueryAsync();
        });
        Assert.False(await FindsAsync(id, "\u0645\u06CC\u062E\u0648\u0627\u0647\u0645"));

        await AsAsync(owner, async c =>
        {
            await using var cmd = new NpgsqlCommand(Cms.Migrations.Sql.SearchJoinersSql.Up, c);
            return await cmd.ExecuteNonQueryAsync();
        });

        Assert.True(await FindsAsync(id, "\u0645\u06CC\u062E\u0648\u0627\u0647\u0645"));
        Assert.True(await FindsAsync(id, "\u0645\u06CC & \u062E\u0648\u0627\u0647\u0645"));
        Assert.Equal(0, await DisagreeingAsync());
    }
}
