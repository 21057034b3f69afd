using System.Data.Common;
using Cms.Core.Auditing;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Cms.Data;

// Every transaction EF starts takes the audit chain's advisory lock first. The trigger that chains
// audit events takes the same lock at the first audit insert and holds it to commit, which is what
// makes the chain order the commit order; taking it at the start as well means every audited
// transaction takes it before any row lock, so an editor's save (row, then audit) and an import
// batch (audit, then rows) cannot deadlock. Transactions that must not serialize with the chain
// while they work (the publishing worker's file writes) begin on the connection and are handed to
// EF with UseTransaction, which does not pass through here.
public sealed class AuditChainLock : DbTransactionInterceptor
{
    public static readonly AuditChainLock Instance = new();

    public static readonly string Sql = $"SELECT pg_advisory_xact_lock({AuditChain.LockKey})";

    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        using var command = Command(connection, result);
        command.ExecuteNonQuery();
        return result;
    }

    public override async ValueTask<DbTransaction> TransactionStartedAsync(
        DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        await using var command = Command(connection, result);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return result;
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Sql;
        return command;
    }
}
