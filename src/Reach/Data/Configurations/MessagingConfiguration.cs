using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Reach.Members;
using Reach.Messaging;

namespace Reach.Data.Configurations;

internal sealed class ConversationConfiguration : IEntityTypeConfiguration<Conversation>
{
    public void Configure(EntityTypeBuilder<Conversation> builder)
    {
        builder.HasIndex(conversation => new { conversation.LowId, conversation.HighId }).IsUnique();
        // The other member's side of "my conversations" (the unique pair index serves the lower id's). Not ordered by
        // the last message: the list is sorted after the two sides are joined anyway, and an index on the time would
        // be rewritten by every message.
        builder.HasIndex(conversation => conversation.HighId);
        builder.ToTable(table =>
        {
            table.HasCheckConstraint("CK_Conversations_Order", "\"LowId\" < \"HighId\"");
            table.HasCheckConstraint("CK_Conversations_Unanswered",
                "\"LowUnansweredCold\" >= 0 AND \"HighUnansweredCold\" >= 0 AND \"LowUnansweredInMail\" >= 0 AND \"HighUnansweredInMail\" >= 0");
        });
        builder.HasOne<Member>().WithMany().HasForeignKey(conversation => conversation.LowId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Member>().WithMany().HasForeignKey(conversation => conversation.HighId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> builder)
    {
        builder.HasIndex(message => new { message.ConversationId, message.Id });
        builder.Property(message => message.Body).HasMaxLength(8000);
        builder.Property(message => message.Subject).HasMaxLength(200);
        builder.Property(message => message.Channel).HasMaxLength(20);
        builder.HasOne<Conversation>().WithMany().HasForeignKey(message => message.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ReceiveCounterConfiguration : IEntityTypeConfiguration<ReceiveCounter>
{
    public void Configure(EntityTypeBuilder<ReceiveCounter> builder)
    {
        builder.HasKey(counter => new { counter.MemberId, counter.PeriodKey });
        builder.Property(counter => counter.PeriodKey).HasMaxLength(7);
        builder.Property(counter => counter.Cap).HasDefaultValue(int.MaxValue);
        builder.ToTable(table =>
        {
            table.HasCheckConstraint("CK_ReceiveCounters_Used", "\"Used\" >= 0");
            table.HasCheckConstraint(Messaging.MessagingSql.CapConstraint, "\"Used\" <= \"Cap\"");
        });
        builder.HasOne<Member>().WithMany().HasForeignKey(counter => counter.MemberId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.HasKey(record => new { record.SenderId, record.Key });
        builder.Property(record => record.Key).HasMaxLength(200);
        builder.Property(record => record.RequestHash).HasMaxLength(64);
        builder.HasOne<Member>().WithMany().HasForeignKey(record => record.SenderId).OnDelete(DeleteBehavior.Cascade);
    }
}
