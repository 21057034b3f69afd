using Cms.Migrations.Sql;
using Npgsql;

namespace Cms.Application.Tests.Review9;

// REVIEW9 evidence: noncharacters are refused in names since REVIEW8 #2 because "a name holding one
// looks like the name without it"; topics stored before that rule are neither cleaned nor merged
// with the name they look like (the look-alike merge folds only blanks and NFC).
public sealed class NoncharacterNamesTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private async Task OwnerAsync(string sql, params object[] values)
    {
        await using var conn = new NpgsqlConnection(app.OwnerConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var value in values)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        await cmd.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_topic_stored_with_a_noncharacter_beside_the_same_name_without_it_is_merged_into_one()
    {
        var tag = Unique.Tag();
        foreach (var name in new[] { $"Desk {tag}", $"Desk\uFFFE {tag}" })
        {
            await OwnerAsync("INSERT INTO topics (name, normalized_name, from_import, created_at) VALUES ($1, lower($1), true, now())", name);
        }

        await OwnerAsync(LookAlikeTopicsSql.Merge);

        Assert.Equal([$"Desk {tag}"], app.Read(db => db.Topics.Where(t => t.Name.Contains(tag)).Select(t => t.Name).ToList()));
    }
}
