using Reach.Data;
using Reach.Notifications;

namespace Reach.Messaging;

/// <summary>
/// The statements of the hot paths — pre-flight, send, reply, accept and decline — in SQL that SQLite and PostgreSQL
/// read alike. Each is prepared once per connection and reused (<see cref="StatementBatch"/>).
/// </summary>
internal static class MessagingSql
{
    private const string Low = """CASE WHEN s."Id" < r."Id" THEN s."Id" ELSE r."Id" END""";
    private const string High = """CASE WHEN s."Id" < r."Id" THEN r."Id" ELSE s."Id" END""";

    // The rows of the pair found by key, for SQLite: its conversation, the connection, the recipient's counter.
    private const string PairJoins = $"""
        LEFT JOIN "Conversations" c ON c."LowId" = {Low} AND c."HighId" = {High}
        LEFT JOIN "Connections" k ON k."MemberId" = s."Id" AND k."OtherId" = r."Id"
        LEFT JOIN "ReceiveCounters" n ON n."MemberId" = r."Id" AND n."PeriodKey" = @period
        """;

    // A column of the conversation on the sender's side, or on the recipient's.
    private static string SenderSide(string column) => $"""CASE WHEN s."Id" < r."Id" THEN c."Low{column}" ELSE c."High{column}" END""";

    private static string RecipientSide(string column) => $"""CASE WHEN s."Id" < r."Id" THEN c."High{column}" ELSE c."Low{column}" END""";

    // Everything a decision needs, in one row: the recipient, the sender, and each fact between them through its
    // index. A fact is looked up only where it can matter — invitations only between members who are not
    // connected, the wrong emails of the day only for a recipient who takes known contacts, what only a send needs
    // (bookmarks, InMail credits to return) only for a send, the last message only for a pre-flight's advice — so
    // that a first message reads a dozen index entries. The columns are read in this order by PairFacts.
    //
    // SQLite finds the pair's conversation, connection and counter by joins (it plans each join as a lookup by key).
    // PostgreSQL finds each by a subquery: it plans a prepared statement once per connection, with the sizes the
    // tables had then, and a join planned while a table was empty may read the whole of an index for every row once
    // the table has grown (it read every counter of the month for every send); a subquery's lookup is always by key.
    private static string PairColumns(bool joins)
    {
        string Conversation(string expression) => joins
            ? expression
            : $"""(SELECT {expression} FROM "Conversations" c WHERE c."LowId" = {Low} AND c."HighId" = {High})""";
        var connected = joins
            ? """k."MemberId" IS NOT NULL"""
            : """EXISTS (SELECT 1 FROM "Connections" k WHERE k."MemberId" = s."Id" AND k."OtherId" = r."Id")""";
        var conversationId = Conversation("c.\"Id\"");
        var ifConversation = joins ? """c."Id" IS NOT NULL""" : "TRUE";
        // SQLite would otherwise read the pair's invitations through the sender's index by date: every invitation the
        // sender ever sent, for each pre-flight.
        var pairInvitations = joins ? "INDEXED BY \"IX_Invitations_FromId_ToId\"" : string.Empty;
        var counter = joins ? "n.\"Used\"" : """(SELECT n."Used" FROM "ReceiveCounters" n WHERE n."MemberId" = r."Id" AND n."PeriodKey" = @period)""";
        return $"""
            SELECT r."Id", r."Handle", r."DisplayName", r."Headline", r."Company", r."TierId", r."Status", r."RestrictedUntil",
                r."WhoCanMessage", r."AcceptInMail", r."OpenProfile", r."Email",
                s."Id", s."TierId", s."Status", s."RestrictedUntil", s."CreditBalance", s."CreditsGrantedFor", s."NextCreditExpiry",
                s."CreatedAt", s."DisplayName", s."Email",
                EXISTS (SELECT 1 FROM "Blocks" b WHERE b."BlockerId" = s."Id" AND b."BlockedId" = r."Id")
                    OR EXISTS (SELECT 1 FROM "Blocks" b WHERE b."BlockerId" = r."Id" AND b."BlockedId" = s."Id"),
                {connected},
                {conversationId},
                {Conversation(SenderSide("HasWritten"))},
                {Conversation(RecipientSide("HasWritten"))},
                {Conversation(SenderSide("UnansweredCold"))},
                {Conversation(SenderSide("UnansweredInMail"))},
                {Conversation("c.\"RequestForId\"")},
                {Conversation("c.\"Declined\"")},
                CASE WHEN NOT {connected} THEN
                    (SELECT min(i."SentAt") FROM "Invitations" i {pairInvitations} WHERE i."FromId" = s."Id" AND i."ToId" = r."Id" AND i."State" IN ('Pending', 'Ignored')) END,
                CASE WHEN NOT {connected} THEN
                    (SELECT max(i."RespondedAt") FROM "Invitations" i {pairInvitations} WHERE i."FromId" = s."Id" AND i."ToId" = r."Id" AND i."State" = 'Withdrawn') END,
                CASE WHEN NOT {connected} THEN (SELECT count(*) FROM "Invitations" i WHERE i."FromId" = s."Id" AND i."SentAt" > @windowStart) ELSE 0 END,
                {counter},
                CASE WHEN r."WhoCanMessage" = 'KnownContacts' THEN (SELECT e."Count" FROM "EmailAttempts" e WHERE e."SenderId" = s."Id" AND e."Day" = @day) END,
                CASE WHEN NOT @send AND {ifConversation} THEN
                    (SELECT m."SentAt" FROM "Messages" m WHERE m."ConversationId" = {conversationId} AND m."SenderId" = s."Id" ORDER BY m."Id" DESC LIMIT 1) END,
                CASE WHEN @send THEN
                    EXISTS (SELECT 1 FROM "Bookmarks" x WHERE x."MemberId" = s."Id" AND x."TargetId" = r."Id")
                    OR EXISTS (SELECT 1 FROM "Bookmarks" x WHERE x."MemberId" = r."Id" AND x."TargetId" = s."Id") ELSE FALSE END,
                CASE WHEN @send AND {ifConversation} THEN
                    EXISTS (SELECT 1 FROM "Messages" m WHERE m."ConversationId" = {conversationId} AND m."SenderId" = r."Id" AND m."CreditsCharged" > 0
                        AND NOT m."CreditReturned" AND m."SentAt" >= @creditBackStart) ELSE FALSE END
            """;
    }

    private static readonly string[] PairParameters = ["s", "windowStart", "period", "day", "creditBackStart", "send"];

    // The pair statement for each database, the recipient found by the condition that ends it.
    private static Statement Pair(string recipient, string parameter) => Statement.PerDatabase(
        $"""
        {PairColumns(joins: true)}
        FROM "Members" r JOIN "Members" s ON s."Id" = @s {PairJoins}
        WHERE {recipient}
        """,
        $"""
        {PairColumns(joins: false)}
        FROM "Members" r JOIN "Members" s ON s."Id" = @s
        WHERE {recipient}
        """,
        [.. PairParameters, parameter]);

    /// <summary>The pair's facts, the recipient by handle (a deactivated member is nobody).</summary>
    public static readonly Statement PairByHandle = Pair("""r."Handle" = @handle AND r."Status" <> 'Deactivated'""", "handle");

    /// <summary>The pair's facts, the recipient by id.</summary>
    public static readonly Statement PairById = Pair("""r."Id" = @recipient""", "recipient");

    /// <summary>The pair's facts, the recipient as the other member of one of the sender's conversations.</summary>
    public static readonly Statement PairByConversation = Pair("""
        r."Id" = (SELECT CASE WHEN c0."LowId" = @s THEN c0."HighId" ELSE c0."LowId" END FROM "Conversations" c0
            WHERE c0."Id" = @conversation AND (c0."LowId" = @s OR c0."HighId" = @s))
        """, "conversation");

    /// <summary>
    /// PostgreSQL: the member's row lock, held to the end of the transaction, so that one member's sends (pacing,
    /// credits) are serialized across processes. SQLite's write transactions are serialized anyway. The lock is the one
    /// an update of the row would take (<c>NO KEY UPDATE</c>: foreign-key checks of other transactions on the row still
    /// pass), without writing a new version of the row.
    /// </summary>
    public static readonly Statement LockMember = Statement.PostgresOnlyStatement(
        """SELECT 1 FROM "Members" WHERE "Id" = @member FOR NO KEY UPDATE""", "member");

    /// <summary>
    /// PostgreSQL: the statements of this transaction keep one plan, through their indexes. They are prepared on each
    /// connection after their second use; left to itself PostgreSQL may plan such a statement again for every
    /// execution when the plan for the given values looks cheaper (it does wherever a value switches a subquery off),
    /// and a plan made while a table was empty or small scans it whole, however large it has grown since (every
    /// lookup of the hot paths has its index). <see cref="ReachDatabase"/> sets the same for the hot reads.
    /// </summary>
    public static readonly Statement StablePlans = Statement.PostgresOnlyStatement(
        $"SELECT set_config('plan_cache_mode', 'force_generic_plan', true), set_config('enable_seqscan', 'off', true)");

    /// <summary>The settings of <see cref="StablePlans"/>, as connection options.</summary>
    public const string StablePlanOptions = "-c plan_cache_mode=force_generic_plan -c enable_seqscan=off";

    /// <summary>Whether an email (normalized) is in a member's imported address book.</summary>
    public static readonly Statement InAddressBook = new(
        """SELECT EXISTS (SELECT 1 FROM "AddressBook" a WHERE a."OwnerId" = @owner AND a."Email" = @email)""", "owner", "email");

    /// <summary>
    /// A message starts or continues the pair's conversation, in one statement whatever its state: the sender has
    /// written; a cold first message puts it in the recipient's Requests, an answer takes it out; the sender's
    /// unanswered count grows by what this message is, and the other side's waiting messages are answered.
    /// One text per side of the pair the sender is on (the columns are per side).
    /// </summary>
    public static readonly Statement ConversationFromLow = Conversation(sender: "Low", other: "High");

    /// <inheritdoc cref="ConversationFromLow"/>
    public static readonly Statement ConversationFromHigh = Conversation(sender: "High", other: "Low");

    /// <summary>The message, in the pair's conversation.</summary>
    public static readonly Statement Message = new("""
        INSERT INTO "Messages" ("ConversationId", "SenderId", "RecipientId", "Body", "Subject", "Channel", "CreditsCharged", "CreditReturned", "SentAt")
        SELECT c."Id", @s, @r, @body, @subject, @channel, @cost, FALSE, @now FROM "Conversations" c WHERE c."LowId" = @low AND c."HighId" = @high
        RETURNING "Id"
        """, "s", "r", "body", "subject", "channel", "cost", "now", "low", "high");

    /// <summary>
    /// The recipient hears of it: a message request while the conversation waits in their Requests, a message
    /// otherwise — except in a conversation they declined and never wrote in.
    /// </summary>
    public static readonly Statement Notification = new($"""
        INSERT INTO "Notifications" ("MemberId", "Kind", "At", "Read", "ActorId", "Text", "Link")
        SELECT @r, CASE WHEN c."RequestForId" = @r THEN '{NotificationKinds.MessageRequest}' ELSE '{NotificationKinds.Message}' END, @now, FALSE, @s,
            CASE WHEN c."RequestForId" = @r THEN @requestText ELSE @messageText END, '/messages/' || c."Id"
        FROM "Conversations" c
        WHERE c."LowId" = @low AND c."HighId" = @high
            AND (c."RequestForId" = @r OR NOT c."Declined" OR (CASE WHEN c."LowId" = @r THEN c."LowHasWritten" ELSE c."HighHasWritten" END))
        """, "r", "s", "now", "requestText", "messageText", "low", "high");

    /// <summary>A send decision, for operators (allowed or locked, every reason, the trace), with the facts it was decided on.</summary>
    public static readonly Statement DecisionLog = new("""
        INSERT INTO "DecisionLog" ("At", "Day", "SenderId", "RecipientId", "InMail", "Allowed", "ReasonBits", "TraceBits", "Source", "SenderTier", "RecipientTier", "Facts")
        VALUES (@now, @day, @s, @r, @inMail, @allowed, @reasons, @trace, 'send', @senderTier, @recipientTier, @facts)
        """, "now", "day", "s", "r", "inMail", "allowed", "reasons", "trace", "senderTier", "recipientTier", "facts");

    /// <summary>
    /// A cold message takes one place of the recipient's cap for the period: one statement, so concurrent senders on
    /// any number of connections and processes cannot overrun the cap. The row carries the cap it was last counted
    /// against, and its check constraint (<c>Used &lt;= Cap</c>) refuses the place past the last: the statement fails,
    /// and with it the send's transaction. On PostgreSQL it is the last write of a send, so the counter's row is locked
    /// only from here to the commit — in the same round trip.
    /// </summary>
    public static readonly Statement TakeCapPlace = new("""
        INSERT INTO "ReceiveCounters" ("MemberId", "PeriodKey", "Used", "Cap") VALUES (@r, @period, 1, @cap)
        ON CONFLICT ("MemberId", "PeriodKey") DO UPDATE SET "Used" = "ReceiveCounters"."Used" + 1, "Cap" = excluded."Cap"
        RETURNING "Used"
        """, "r", "period", "cap");

    /// <summary>The check constraint that refuses a place past the cap (<see cref="TakeCapPlace"/>).</summary>
    public const string CapConstraint = "CK_ReceiveCounters_Cap";

    /// <summary>
    /// When this message takes the cap's last place and someone bookmarked the recipient, those bookmarks are decided
    /// again after the commit (they may have turned to locked). It runs just before the place is taken, so that the
    /// counter's row is not locked while it runs; if the send then fails, it goes with it.
    /// </summary>
    public static readonly Statement RecheckWhenCapFills = new("""
        INSERT INTO "Outbox" ("Kind", "MemberId", "OtherId", "At")
        SELECT @kind, @r, NULL, @now
        WHERE COALESCE((SELECT n."Used" FROM "ReceiveCounters" n WHERE n."MemberId" = @r AND n."PeriodKey" = @period), 0) + 1 >= @cap
            AND EXISTS (SELECT 1 FROM "Bookmarks" x WHERE x."TargetId" = @r)
        """, "kind", "r", "now", "period", "cap");

    /// <summary>
    /// PostgreSQL: the commit, sent with a send's last writes when nothing follows them. When the recipient's counter
    /// is contended (<see cref="BusyCounters"/>), it does not wait for the disk (<see cref="CommitWithoutFlush"/> before
    /// it), so that the counter's row is free for the next send as soon as the commit is in the log, and
    /// <see cref="AwaitFlush"/> after it waits for the disk instead, before the send is acknowledged.
    /// </summary>
    public static readonly Statement Commit = Statement.PostgresOnlyStatement("COMMIT");

    /// <summary>PostgreSQL: this transaction's commit returns once it is in the log, before the log is flushed.</summary>
    public static readonly Statement CommitWithoutFlush = Statement.PostgresOnlyStatement(
        "SELECT set_config('synchronous_commit', 'off', true)");

    /// <summary>
    /// PostgreSQL: a transaction of its own that writes one record to the log (a transactional logical message, which
    /// any role may emit and no table holds) and commits as every transaction does (with the server's
    /// <c>synchronous_commit</c>, to the disk and the synchronous standbys): the log is flushed to this commit, and so
    /// to every commit before it, the one of <see cref="CommitWithoutFlush"/> included. It must write: a transaction
    /// that only takes an id writes nothing before its commit record, and PostgreSQL commits such a one without waiting
    /// for the flush — acknowledged sends were lost when the server was killed (<c>PostgresFaultTests</c>). The log is
    /// written in order, so whatever a crash keeps, it keeps every transaction up to a point.
    /// </summary>
    public static readonly Statement AwaitFlush = Statement.PostgresOnlyStatement("SELECT pg_logical_emit_message(true, 'reach', 'flush')::text");

    /// <summary>
    /// A pre-flight's email check takes one of the day's attempts before the email is compared, only while one is left
    /// (no row comes back when none is): so parallel pre-flights check no more emails than the day allows.
    /// </summary>
    public static readonly Statement ReserveEmailAttempt = new("""
        INSERT INTO "EmailAttempts" ("SenderId", "Day", "Count") VALUES (@s, @day, 1)
        ON CONFLICT ("SenderId", "Day") DO UPDATE SET "Count" = "EmailAttempts"."Count" + 1 WHERE "EmailAttempts"."Count" < @limit
        RETURNING "Count"
        """, "s", "day", "limit");

    /// <summary>Gives back an attempt reserved for an email that turned out right (only wrong emails count).</summary>
    public static readonly Statement ReleaseEmailAttempt = new("""
        UPDATE "EmailAttempts" SET "Count" = "Count" - 1 WHERE "SenderId" = @s AND "Day" = @day AND "Count" > 0
        """, "s", "day");

    /// <summary>
    /// PostgreSQL: the conversation's row, locked before it is marked read, so that the next statement (a snapshot of
    /// its own) sees every message of the sends that wrote the row before, and later sends wait for the read.
    /// </summary>
    public static readonly Statement LockConversation = Statement.PostgresOnlyStatement(
        """SELECT 1 FROM "Conversations" WHERE "Id" = @conversation FOR UPDATE""", "conversation");

    /// <summary>
    /// A member reads a conversation: their unread count goes to zero and they have read up to its last message. No row
    /// when the conversation is not theirs.
    /// </summary>
    public static readonly Statement MarkRead = new("""
        UPDATE "Conversations" SET
            "LowUnread" = CASE WHEN "LowId" = @m THEN 0 ELSE "LowUnread" END,
            "HighUnread" = CASE WHEN "HighId" = @m THEN 0 ELSE "HighUnread" END,
            "LowReadUpTo" = CASE WHEN "LowId" = @m THEN COALESCE((SELECT max(x."Id") FROM "Messages" x WHERE x."ConversationId" = @conversation), 0) ELSE "LowReadUpTo" END,
            "HighReadUpTo" = CASE WHEN "HighId" = @m THEN COALESCE((SELECT max(x."Id") FROM "Messages" x WHERE x."ConversationId" = @conversation), 0) ELSE "HighReadUpTo" END
        WHERE "Id" = @conversation AND ("LowId" = @m OR "HighId" = @m)
        RETURNING "Id"
        """, "m", "conversation");

    /// <summary>A wrong email given for a known-contacts recipient uses one of the day's attempts.</summary>
    public static readonly Statement CountWrongEmail = new("""
        INSERT INTO "EmailAttempts" ("SenderId", "Day", "Count") VALUES (@s, @day, 1)
        ON CONFLICT ("SenderId", "Day") DO UPDATE SET "Count" = "EmailAttempts"."Count" + 1
        """, "s", "day");

    /// <summary>
    /// Completing an Idempotency-Key is the fence: only an attempt that finds it not completed yet completes it; one
    /// that finds no row rolls back (another attempt delivered under the key).
    /// </summary>
    public static readonly Statement CompleteKey = new("""
        UPDATE "IdempotencyRecords" SET "Completed" = TRUE, "StatusCode" = 201, "Response" = @response
        WHERE "SenderId" = @s AND "Key" = @key AND NOT "Completed"
        RETURNING 1
        """, "response", "s", "key");

    /// <summary>
    /// The member a request waits for accepts it (they have now written) or declines it; either way it leaves their
    /// Requests, and the other side's waiting messages count as answered. Nothing changes unless it waits for them.
    /// </summary>
    public static readonly Statement Respond = new("""
        UPDATE "Conversations" SET "RequestForId" = NULL,
            "LowHasWritten" = CASE WHEN "LowId" = @m AND @accept THEN TRUE ELSE "LowHasWritten" END,
            "HighHasWritten" = CASE WHEN "HighId" = @m AND @accept THEN TRUE ELSE "HighHasWritten" END,
            "Declined" = CASE WHEN @accept THEN "Declined" ELSE TRUE END,
            "LowUnansweredCold" = CASE WHEN "LowId" = @m THEN "LowUnansweredCold" ELSE 0 END,
            "LowUnansweredInMail" = CASE WHEN "LowId" = @m THEN "LowUnansweredInMail" ELSE 0 END,
            "HighUnansweredCold" = CASE WHEN "HighId" = @m THEN "HighUnansweredCold" ELSE 0 END,
            "HighUnansweredInMail" = CASE WHEN "HighId" = @m THEN "HighUnansweredInMail" ELSE 0 END
        WHERE "Id" = @conversation AND "RequestForId" = @m
        RETURNING CASE WHEN "LowId" = @m THEN "HighId" ELSE "LowId" END
        """, "m", "accept", "conversation");

    /// <summary>
    /// After an answer: whether the other member's InMails in the conversation still wait for their credit (within
    /// the window), and whether a bookmark joins the two.
    /// </summary>
    public static readonly Statement AfterAnswer = new("""
        SELECT CASE WHEN c."LowId" = @m THEN c."HighId" ELSE c."LowId" END, c."RequestForId",
            EXISTS (SELECT 1 FROM "Messages" x WHERE x."ConversationId" = c."Id" AND x."SenderId" <> @m AND x."CreditsCharged" > 0
                AND NOT x."CreditReturned" AND x."SentAt" >= @creditBackStart),
            EXISTS (SELECT 1 FROM "Bookmarks" k WHERE (k."MemberId" = c."LowId" AND k."TargetId" = c."HighId") OR (k."MemberId" = c."HighId" AND k."TargetId" = c."LowId"))
        FROM "Conversations" c WHERE c."Id" = @conversation AND (c."LowId" = @m OR c."HighId" = @m)
        """, "m", "creditBackStart", "conversation");

    private static Statement Conversation(string sender, string other) => new($"""
        INSERT INTO "Conversations" AS c ("LowId", "HighId", "RequestForId", "Declined", "{sender}HasWritten", "{other}HasWritten",
            "{sender}UnansweredCold", "{other}UnansweredCold", "{sender}UnansweredInMail", "{other}UnansweredInMail", "CreatedAt", "LastMessageAt",
            "{sender}Unread", "{other}Unread", "{sender}ReadUpTo", "{other}ReadUpTo")
        VALUES (@low, @high, CASE WHEN @connection THEN NULL ELSE @r END, FALSE, TRUE, FALSE, @cold, 0, @inMail, 0, @now, @now, 0, 1, 0, 0)
        ON CONFLICT ("LowId", "HighId") DO UPDATE SET
            "RequestForId" = CASE WHEN c."RequestForId" = @s THEN NULL
                WHEN NOT c."{other}HasWritten" AND NOT c."Declined" AND NOT @connection THEN @r
                ELSE c."RequestForId" END,
            "{sender}HasWritten" = TRUE,
            "{sender}UnansweredCold" = c."{sender}UnansweredCold" + @cold,
            "{sender}UnansweredInMail" = c."{sender}UnansweredInMail" + @inMail,
            "{other}UnansweredCold" = CASE WHEN c."{other}HasWritten" OR c."RequestForId" = @s THEN 0 ELSE c."{other}UnansweredCold" END,
            "{other}UnansweredInMail" = CASE WHEN c."{other}HasWritten" OR c."RequestForId" = @s THEN 0 ELSE c."{other}UnansweredInMail" END,
            "LastMessageAt" = @now,
            "{other}Unread" = c."{other}Unread" + 1,
            "{sender}Unread" = 0
        RETURNING "Id"
        """, "low", "high", "connection", "r", "cold", "inMail", "now", "s");
}
