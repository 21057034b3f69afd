using System.Data.Common;
using Cms.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Cms.Application.ReadOnly;

// Points each connection of the read-only context at the standby or the primary just before it
// opens (StandbyRouting decides). A standby that refuses the connection is given up at once and the
// same query goes to the primary, so a standby that dies between two looks costs no failed request.
public sealed class StandbyInterceptor(StandbyRouting routing) : DbConnectionInterceptor
{
    public override async ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData,
        InterceptionResult result, CancellationToken cancellationToken = default)
    {
        var context = eventData.Context as CmsReadOnlyDbContext;
        if ((await routing.CurrentAsync(cancellationToken)).UseStandby)
        {
            connection.ConnectionString = routing.StandbyReads;
            try
            {
                await connection.OpenAsync(cancellationToken);
                context?.OnStandby = true;
                return InterceptionResult.Suppress();
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                routing.StandbyFailed(ex);
            }
        }
        connection.ConnectionString = routing.PrimaryReads;
        context?.OnStandby = false;
        return result;
    }

    // Synchronous opens (none of the read models use them) follow the last decision without looking.
    public override InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        var standby = routing.Last is { UseStandby: true };
        connection.ConnectionString = standby ? routing.StandbyReads : routing.PrimaryReads;
        (eventData.Context as CmsReadOnlyDbContext)?.OnStandby = standby;
        return result;
    }
}
