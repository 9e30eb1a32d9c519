using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Reach.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class HotPathSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_DecisionLog_SenderId_RecipientId_Id",
                table: "DecisionLog");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_HighId_LastMessageAt",
                table: "Conversations");

            migrationBuilder.AddColumn<int>(
                name: "Cap",
                table: "ReceiveCounters",
                type: "INTEGER",
                nullable: false,
                defaultValue: 2147483647);

            migrationBuilder.AddCheckConstraint(
                name: "CK_ReceiveCounters_Cap",
                table: "ReceiveCounters",
                sql: "\"Used\" <= \"Cap\"");

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_HighId",
                table: "Conversations",
                column: "HighId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "CK_ReceiveCounters_Cap",
                table: "ReceiveCounters");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_HighId",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "Cap",
                table: "ReceiveCounters");

            migrationBuilder.CreateIndex(
                name: "IX_DecisionLog_SenderId_RecipientId_Id",
                table: "DecisionLog",
                columns: new[] { "SenderId", "RecipientId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_HighId_LastMessageAt",
                table: "Conversations",
                columns: new[] { "HighId", "LastMessageAt" });
        }
    }
}
