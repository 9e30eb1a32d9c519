using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Reach.Members;

namespace Reach.Data.Configurations;

internal sealed class MemberConfiguration : IEntityTypeConfiguration<Member>
{
    public void Configure(EntityTypeBuilder<Member> builder)
    {
        builder.ToTable("Members", table => table.HasCheckConstraint("CK_Members_CreditBalance", "\"CreditBalance\" >= 0"));
        builder.HasIndex(member => member.Handle).IsUnique();
        builder.Property(member => member.Handle).HasMaxLength(MemberRules.HandleMaxLength);
        builder.Property(member => member.DisplayName).HasMaxLength(MemberRules.DisplayNameMaxLength);
        builder.Property(member => member.Headline).HasMaxLength(MemberRules.HeadlineMaxLength);
        builder.Property(member => member.Company).HasMaxLength(MemberRules.CompanyMaxLength);
        builder.Property(member => member.PhotoUrl).HasMaxLength(MemberRules.PhotoUrlMaxLength);
        builder.Property(member => member.TierId).HasMaxLength(40);
        builder.Property(member => member.CreditsGrantedFor).HasMaxLength(7);
        builder.Property(member => member.SearchText).HasMaxLength(700);

        // Search: the receptive sort walks this index; the filters narrow it.
        builder.HasIndex(member => new { member.Receptiveness, member.Id });
    }
}

internal sealed class MemberWordConfiguration : IEntityTypeConfiguration<MemberWord>
{
    public void Configure(EntityTypeBuilder<MemberWord> builder)
    {
        // On SQLite the table is WITHOUT ROWID (see the SearchOnWords migration), so a range on the key reads every
        // column a search needs from the key's own B-tree.
        builder.HasKey(w => new { w.Word, w.MemberId });
        builder.HasIndex(w => new { w.MemberId, w.Word });
        builder.Property(w => w.Word).HasMaxLength(MemberWord.MaxLength);
        builder.Property(w => w.TierId).HasMaxLength(40);
        builder.HasOne<Member>().WithMany().HasForeignKey(w => w.MemberId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ConnectionConfiguration : IEntityTypeConfiguration<Connection>
{
    public void Configure(EntityTypeBuilder<Connection> builder)
    {
        builder.HasKey(connection => new { connection.MemberId, connection.OtherId });
        builder.HasOne<Member>().WithMany().HasForeignKey(connection => connection.MemberId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Member>().WithMany().HasForeignKey(connection => connection.OtherId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AddressBookConfiguration : IEntityTypeConfiguration<AddressBookEntry>
{
    public void Configure(EntityTypeBuilder<AddressBookEntry> builder)
    {
        builder.ToTable("AddressBook");
        builder.HasKey(entry => new { entry.OwnerId, entry.Email });
        builder.Property(entry => entry.Email).HasMaxLength(MemberRules.EmailMaxLength);
        builder.HasOne<Member>().WithMany().HasForeignKey(entry => entry.OwnerId).OnDelete(DeleteBehavior.Cascade);
    }
}
