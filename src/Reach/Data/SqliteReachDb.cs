using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Reach.Data;

/// <summary>Reach on SQLite: instants are stored as 64-bit numbers so they compare and sort in SQL.</summary>
public sealed class SqliteReachDb(DbContextOptions<SqliteReachDb> options) : ReachDb(options)
{
    public override bool IsPostgres => false;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}
