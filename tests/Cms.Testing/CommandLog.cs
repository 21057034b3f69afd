using System.Data.Common;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Cms.Testing;

// The SQL a context sends, for tests that state how many statements a read or a write takes.
public sealed class CommandLog : DbCommandInterceptor
{
    public List<string> Texts { get; } = [];

    // A context of its own on the database, recording every command it sends.
    public CmsDbContext Context(string connectionString)
    {
        var options = new DbContextOptionsBuilder<CmsDbContext>();
        CmsDbContext.Configure(options, connectionString);
        options.AddInterceptors(this);
        return new CmsDbContext(options.Options);
    }

    public List<string> Touching(string table) => Texts.Where(t => t.Contains(table, StringComparison.Ordinal)).ToList();

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Texts.Add(command.CommandText);
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Texts.Add(command.CommandText);
        return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
    }
}
