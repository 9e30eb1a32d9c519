using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Reach.Invitations;
using Reach.Members;

namespace Reach.Data.Configurations;

internal sealed class InvitationConfiguration : IEntityTypeConfiguration<Invitation>
{
    public void Configure(EntityTypeBuilder<Invitation> builder)
    {
        builder.HasIndex(invitation => new { invitation.FromId, invitation.SentAt });
        builder.HasIndex(invitation => new { invitation.FromId, invitation.ToId });
        builder.HasIndex(invitation => new { invitation.ToId, invitation.State });
        builder.Property(invitation => invitation.Note).HasMaxLength(1000);
        builder.HasOne<Member>().WithMany().HasForeignKey(invitation => invitation.FromId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Member>().WithMany().HasForeignKey(invitation => invitation.ToId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PendingPairConfiguration : IEntityTypeConfiguration<PendingPair>
{
    public void Configure(EntityTypeBuilder<PendingPair> builder)
    {
        builder.HasKey(pair => new { pair.LowId, pair.HighId });
        builder.ToTable(table => table.HasCheckConstraint("CK_PendingPairs_Order", "\"LowId\" < \"HighId\""));
        builder.HasOne<Invitation>().WithMany().HasForeignKey(pair => pair.InvitationId).OnDelete(DeleteBehavior.Cascade);
    }
}
