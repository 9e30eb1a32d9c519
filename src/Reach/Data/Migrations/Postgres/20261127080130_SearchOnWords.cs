using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Reach.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SearchOnWords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_MemberWords_MemberId",
                table: "MemberWords");

            migrationBuilder.AddColumn<int>(
                name: "ConnectionCount",
                table: "MemberWords",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "First",
                table: "MemberWords",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "Listed",
                table: "MemberWords",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "OpenToWork",
                table: "MemberWords",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "Receptiveness",
                table: "MemberWords",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "TierId",
                table: "MemberWords",
                type: "character varying(40)",
                maxLength: 40,
                nullable: false,
                defaultValue: "");

            // Existing rows take their copies from the members; "First" is the simpler rule that the name text starts
            // with the word and a space, and becomes exact at the member's next profile change.
            migrationBuilder.Sql("""
                UPDATE "MemberWords" AS w
                SET "First" = m."SearchText" = w."Word" OR m."SearchText" LIKE w."Word" || ' %',
                    "Listed" = m."Status" <> 'Deactivated',
                    "OpenToWork" = m."OpenToWork",
                    "ConnectionCount" = m."ConnectionCount",
                    "TierId" = m."TierId",
                    "Receptiveness" = m."Receptiveness"
                FROM "Members" AS m
                WHERE m."Id" = w."MemberId";
                """);

            migrationBuilder.CreateIndex(
                name: "IX_MemberWords_MemberId_Word",
                table: "MemberWords",
                columns: new[] { "MemberId", "Word" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_MemberWords_MemberId_Word",
                table: "MemberWords");

            migrationBuilder.DropColumn(
                name: "ConnectionCount",
                table: "MemberWords");

            migrationBuilder.DropColumn(
                name: "First",
                table: "MemberWords");

            migrationBuilder.DropColumn(
                name: "Listed",
                table: "MemberWords");

            migrationBuilder.DropColumn(
                name: "OpenToWork",
                table: "MemberWords");

            migrationBuilder.DropColumn(
                name: "Receptiveness",
                table: "MemberWords");

            migrationBuilder.DropColumn(
                name: "TierId",
                table: "MemberWords");

            migrationBuilder.CreateIndex(
                name: "IX_MemberWords_MemberId",
                table: "MemberWords",
                column: "MemberId");
        }
    }
}
