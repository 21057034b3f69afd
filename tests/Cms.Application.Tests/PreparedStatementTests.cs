using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cms.Application.Tests;

// The application's context prepares the statements it runs again (CmsApplication.Prepared), so a
// pooled connection's PostgreSQL session parses each of the queue page's statements once.
public sealed class PreparedStatementTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    [Fact]
    public async Task A_statement_the_application_runs_again_is_prepared_on_its_connection()
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CmsDbContext>();
        var marker = "prepared-" + Guid.NewGuid().ToString("N");
        await db.Database.OpenConnectionAsync();
        try
        {
            // The same SQL each time, with another parameter value.
            for (var i = 0; i < 3; i++)
            {
                var name = marker + i;
                await db.Categories.CountAsync(c => c.Name == name);
            }
            var prepared = await db.Database.SqlQueryRaw<string>("SELECT statement AS \"Value\" FROM pg_prepared_statements").ToListAsync();
            Assert.Contains(prepared, s => s.Contains("FROM categories", StringComparison.Ordinal));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    [Fact]
    public void A_connection_string_that_sets_automatic_preparation_keeps_its_value()
    {
        Assert.Equal(CmsApplication.AutoPrepared, new NpgsqlConnectionStringBuilder(CmsApplication.Prepared("Host=db;Database=cms")).MaxAutoPrepare);
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(CmsApplication.Prepared("Host=db;Database=cms;Max Auto Prepare=0")).MaxAutoPrepare);
        Assert.Equal(5, new NpgsqlConnectionStringBuilder(CmsApplication.Prepared("Host=db;Database=cms;maxautoprepare=5")).MaxAutoPrepare);
    }
}
