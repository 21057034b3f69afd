using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Cms.Application.ReadOnly;

// Settings of the reads that may be served by a streaming standby: ConnectionStrings:CmsReadOnly
// (none: everything reads the primary), ReadOnly:MaxLagSeconds (a standby further behind than this
// is not used) and ReadOnly:CheckSeconds (how long one instance trusts its last look at the
// standby; 0 looks before every connection).
public sealed class ReadOnlyOptions
{
    public const double DefaultMaxLagSeconds = 30;
    public const double DefaultCheckSeconds = 2;

    // The standby's connection string, or null when none is configured.
    public string? Standby { get; init; }
    public TimeSpan MaxLag { get; init; } = TimeSpan.FromSeconds(DefaultMaxLagSeconds);
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(DefaultCheckSeconds);

    public static ReadOnlyOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection("ReadOnly");
        var maxLag = section.GetValue("MaxLagSeconds", DefaultMaxLagSeconds);
        var check = section.GetValue("CheckSeconds", DefaultCheckSeconds);
        if (maxLag < 0 || check < 0 || check > 60)
        {
            throw new InvalidOperationException("ReadOnly:MaxLagSeconds is 0 or more; ReadOnly:CheckSeconds is between 0 and 60.");
        }
        return new ReadOnlyOptions
        {
            Standby = configuration.GetConnectionString("CmsReadOnly") is { Length: > 0 } cs ? cs : null,
            MaxLag = TimeSpan.FromSeconds(maxLag),
            CheckInterval = TimeSpan.FromSeconds(check),
        };
    }

    // The same connection, its transactions read-only (so a write through the read-only context fails
    // on the primary as it would on the standby).
    public static string ReadOnlySessions(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = (builder.Options is { Length: > 0 } o ? o + " " : "") + "-c default_transaction_read_only=on";
        return builder.ConnectionString;
    }
}
