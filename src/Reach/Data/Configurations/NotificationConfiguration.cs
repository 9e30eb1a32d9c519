using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Reach.Bookmarks;
using Reach.Members;
using Reach.Notifications;

namespace Reach.Data.Configurations;

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> builder)
    {
        // The list reads newest first per member; the unread count reads the unread ones.
        builder.HasIndex(n => new { n.MemberId, n.Id });
        builder.HasIndex(n => new { n.MemberId, n.Read });
        builder.Property(n => n.Kind).HasMaxLength(30);
        builder.Property(n => n.Text).HasMaxLength(500);
        builder.Property(n => n.Link).HasMaxLength(200);
        builder.HasOne<Member>().WithMany().HasForeignKey(n => n.MemberId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Member>().WithMany().HasForeignKey(n => n.ActorId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class BookmarkConfiguration : IEntityTypeConfiguration<Bookmark>
{
    public void Configure(EntityTypeBuilder<Bookmark> builder)
    {
        builder.HasKey(b => new { b.MemberId, b.TargetId });
        builder.HasIndex(b => b.TargetId);
        builder.HasOne<Member>().WithMany().HasForeignKey(b => b.MemberId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Member>().WithMany().HasForeignKey(b => b.TargetId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class OutboxItemConfiguration : IEntityTypeConfiguration<Outbox.OutboxItem>
{
    public void Configure(EntityTypeBuilder<Outbox.OutboxItem> builder)
    {
        builder.ToTable("Outbox");
        builder.Property(item => item.Kind).HasMaxLength(40);
    }
}
