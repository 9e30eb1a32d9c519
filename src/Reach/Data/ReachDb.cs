using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Reach.Bookmarks;
using Reach.Credits;
using Reach.Decisions;
using Reach.Invitations;
using Reach.Members;
using Reach.Messaging;
using Reach.Notifications;
using Reach.Policy;
using Reach.Posts;
using Reach.Safety;

namespace Reach.Data;

/// <summary>
/// Reach's database. Two subclasses, <see cref="SqliteReachDb"/> and <see cref="PostgresReachDb"/>, carry one
/// migration set each; the model itself is the same for both. It also keeps the data-protection keys that sign and
/// encrypt tokens and cookies, so that every process on one database shares them and no other database's are taken.
/// </summary>
public abstract class ReachDb(DbContextOptions options) : IdentityUserContext<Member, long>(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Member> Members => Set<Member>();

    public DbSet<Connection> Connections => Set<Connection>();

    public DbSet<MemberWord> MemberWords => Set<MemberWord>();

    public DbSet<AddressBookEntry> AddressBook => Set<AddressBookEntry>();

    public DbSet<Invitation> Invitations => Set<Invitation>();

    public DbSet<PendingPair> PendingPairs => Set<PendingPair>();

    public DbSet<Conversation> Conversations => Set<Conversation>();

    public DbSet<Message> Messages => Set<Message>();

    public DbSet<ReceiveCounter> ReceiveCounters => Set<ReceiveCounter>();

    public DbSet<CreditLotRow> CreditLots => Set<CreditLotRow>();

    public DbSet<LedgerEntryRow> Ledger => Set<LedgerEntryRow>();

    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    public DbSet<Block> Blocks => Set<Block>();

    public DbSet<Report> Reports => Set<Report>();

    public DbSet<EmailAttempt> EmailAttempts => Set<EmailAttempt>();

    public DbSet<DecisionLogEntry> DecisionLog => Set<DecisionLogEntry>();

    public DbSet<Notification> Notifications => Set<Notification>();

    public DbSet<Bookmark> Bookmarks => Set<Bookmark>();

    public DbSet<Post> Posts => Set<Post>();

    public DbSet<Comment> Comments => Set<Comment>();

    public DbSet<Outbox.OutboxItem> Outbox => Set<Outbox.OutboxItem>();

    /// <summary>Members with notifications saved but not yet committed; pushed live when the commit is done.</summary>
    internal HashSet<long> NotifyAfterCommit { get; } = [];

    /// <summary>Members with notifications in the save under way.</summary>
    internal HashSet<long> NotifySaved { get; } = [];

    /// <summary>
    /// PostgreSQL: the unit of work sent <c>COMMIT</c> with its last statements (<see cref="StatementBatch"/>), so its
    /// transaction is already committed when the unit returns.
    /// </summary>
    internal bool CommittedInBatch { get; set; }

    /// <summary>What to do when a connection is found lost: drop the pools' idle connections (PostgreSQL).</summary>
    internal Action? ConnectionLost { get; set; }

    /// <summary>Pushes what a unit of work stored once it is committed (set by <see cref="ReachDatabase"/>).</summary>
    internal Notifications.NotificationPublisher? Publisher { get; set; }

    /// <summary>The transaction under way stored outbox items: the worker is woken when it commits.</summary>
    internal bool OutboxAfterCommit { get; set; }

    /// <summary>Wakes the member's open pages once the current transaction commits (a notification written in SQL).</summary>
    internal void WakeAfterCommit(long memberId) => NotifyAfterCommit.Add(memberId);

    /// <summary>Where this context's write transactions go to share a commit (SQLite), or null: one commit each.</summary>
    internal GroupCommit? GroupCommit { get; set; }

    /// <summary>Whether this database is PostgreSQL (the statements that differ are few and named where they are).</summary>
    public abstract bool IsPostgres { get; }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(ReachDb).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        configurationBuilder.Properties<AccountStatus>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<WhoCanMessage>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<InvitationState>().HaveConversion<string>().HaveMaxLength(20);
        configurationBuilder.Properties<LedgerEntryKind>().HaveConversion<string>().HaveMaxLength(20);
    }
}
