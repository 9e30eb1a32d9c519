using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Reach.Decisions;
using Reach.Members;
using Reach.Safety;

namespace Reach.Data.Configurations;

internal sealed class BlockConfiguration : IEntityTypeConfiguration<Block>
{
    public void Configure(EntityTypeBuilder<Block> builder)
    {
        builder.HasKey(block => new { block.BlockerId, block.BlockedId });
        builder.HasIndex(block => block.BlockedId);
        builder.HasOne<Member>().WithMany().HasForeignKey(block => block.BlockerId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Member>().WithMany().HasForeignKey(block => block.BlockedId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ReportConfiguration : IEntityTypeConfiguration<Report>
{
    public void Configure(EntityTypeBuilder<Report> builder)
    {
        builder.HasIndex(report => new { report.ReportedId, report.At });
        builder.Property(report => report.Reason).HasMaxLength(20);
        builder.HasOne<Member>().WithMany().HasForeignKey(report => report.ReporterId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Member>().WithMany().HasForeignKey(report => report.ReportedId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class EmailAttemptConfiguration : IEntityTypeConfiguration<EmailAttempt>
{
    public void Configure(EntityTypeBuilder<EmailAttempt> builder)
    {
        builder.HasKey(attempt => new { attempt.SenderId, attempt.Day });
        builder.Property(attempt => attempt.Day).HasMaxLength(10);
        builder.HasOne<Member>().WithMany().HasForeignKey(attempt => attempt.SenderId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DecisionLogConfiguration : IEntityTypeConfiguration<DecisionLogEntry>
{
    public void Configure(EntityTypeBuilder<DecisionLogEntry> builder)
    {
        builder.ToTable("DecisionLog");
        // Counts per day. The log is written by every send and read by day (and by time for replays), never by pair.
        builder.HasIndex(entry => new { entry.Day, entry.Allowed });
        builder.Property(entry => entry.Day).HasMaxLength(10);
        builder.Property(entry => entry.Source).HasMaxLength(10);
        builder.Property(entry => entry.SenderTier).HasMaxLength(40);
        builder.Property(entry => entry.RecipientTier).HasMaxLength(40);
    }
}
