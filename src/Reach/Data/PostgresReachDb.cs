using Microsoft.EntityFrameworkCore;

namespace Reach.Data;

/// <summary>Reach on PostgreSQL: instants are <c>timestamptz</c>.</summary>
public sealed class PostgresReachDb(DbContextOptions<PostgresReachDb> options) : ReachDb(options)
{
    public override bool IsPostgres => true;
}
