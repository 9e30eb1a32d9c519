using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Reach.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the SQLite context (no database is touched).</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteReachDb>
{
    public SqliteReachDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteReachDb>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the PostgreSQL context (no database is touched).</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresReachDb>
{
    public PostgresReachDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresReachDb>().UseNpgsql("Host=localhost;Database=reach_design").Options);
}
