using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Reach.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SearchOnWords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The word index becomes a WITHOUT ROWID table: its rows live in the (Word, MemberId) key's B-tree, so a
            // search's range scan reads the filter and sort columns without a second lookup per row. EF has no option
            // for it, so the table is rebuilt here by hand; a later migration that rebuilds it must keep the clause.
            // Existing rows take their copies from the members; "First" is the simpler rule that the name text starts
            // with the word and a space, and becomes exact at the member's next profile change.
            migrationBuilder.Sql("""
                CREATE TABLE "ef_temp_MemberWords" (
                    "Word" TEXT NOT NULL,
                    "MemberId" INTEGER NOT NULL,
                    "First" INTEGER NOT NULL,
                    "Listed" INTEGER NOT NULL,
                    "OpenToWork" INTEGER NOT NULL,
                    "ConnectionCount" INTEGER NOT NULL,
                    "TierId" TEXT NOT NULL,
                    "Receptiveness" INTEGER NOT NULL,
                    CONSTRAINT "PK_MemberWords" PRIMARY KEY ("Word", "MemberId"),
                    CONSTRAINT "FK_MemberWords_Members_MemberId" FOREIGN KEY ("MemberId") REFERENCES "Members" ("Id") ON DELETE CASCADE
                ) WITHOUT ROWID;
                """);
            migrationBuilder.Sql("""
                INSERT INTO "ef_temp_MemberWords"
                SELECT w."Word", w."MemberId",
                       m."SearchText" = w."Word" OR m."SearchText" LIKE w."Word" || ' %',
                       m."Status" <> 'Deactivated', m."OpenToWork", m."ConnectionCount", m."TierId", m."Receptiveness"
                FROM "MemberWords" AS w JOIN "Members" AS m ON m."Id" = w."MemberId";
                """);
            migrationBuilder.Sql("""DROP TABLE "MemberWords";""");
            migrationBuilder.Sql("""ALTER TABLE "ef_temp_MemberWords" RENAME TO "MemberWords";""");
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
