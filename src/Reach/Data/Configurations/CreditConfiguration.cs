using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Reach.Credits;
using Reach.Members;

namespace Reach.Data.Configurations;

internal sealed class CreditLotConfiguration : IEntityTypeConfiguration<CreditLotRow>
{
    public void Configure(EntityTypeBuilder<CreditLotRow> builder)
    {
        builder.ToTable("CreditLots", table => table.HasCheckConstraint("CK_CreditLots_Remaining", "\"Remaining\" >= 0 AND \"Remaining\" <= \"Amount\""));
        builder.HasKey(lot => new { lot.MemberId, lot.LotId });
        builder.Property(lot => lot.LotId).HasMaxLength(300);
        builder.HasOne<Member>().WithMany().HasForeignKey(lot => lot.MemberId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class LedgerEntryConfiguration : IEntityTypeConfiguration<LedgerEntryRow>
{
    public void Configure(EntityTypeBuilder<LedgerEntryRow> builder)
    {
        builder.ToTable("Ledger", table => table.HasCheckConstraint("CK_Ledger_BalanceAfter", "\"BalanceAfter\" >= 0"));
        builder.HasIndex(entry => new { entry.MemberId, entry.Key }).IsUnique();
        builder.HasIndex(entry => new { entry.MemberId, entry.Ref });
        builder.Property(entry => entry.Key).HasMaxLength(600);
        builder.Property(entry => entry.LotId).HasMaxLength(300);
        builder.Property(entry => entry.Ref).HasMaxLength(300);
        builder.HasOne<Member>().WithMany().HasForeignKey(entry => entry.MemberId).OnDelete(DeleteBehavior.Cascade);
    }
}
