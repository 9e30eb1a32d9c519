using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Reach.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DecisionFacts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "Facts",
                table: "DecisionLog",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RecipientTier",
                table: "DecisionLog",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SenderTier",
                table: "DecisionLog",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Facts",
                table: "DecisionLog");

            migrationBuilder.DropColumn(
                name: "RecipientTier",
                table: "DecisionLog");

            migrationBuilder.DropColumn(
                name: "SenderTier",
                table: "DecisionLog");
        }
    }
}
