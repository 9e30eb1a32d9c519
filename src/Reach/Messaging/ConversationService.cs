using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Members;

namespace Reach.Messaging;

/// <summary>A conversation in a list: with whom, its last message, and how many of the other's messages are unread.</summary>
public sealed record ConversationSummary(long Id, string Folder, Member With, DateTimeOffset LastMessageAt, LastMessage? Last = null, int Unread = 0);

/// <summary>The last message of a conversation, as a list shows it: who wrote it, its first words, when.</summary>
public sealed record LastMessage(string FromHandle, string Preview, DateTimeOffset SentAt);

/// <param name="Summary">The conversation as a list shows it.</param>
/// <param name="Messages">Its messages, oldest first, each with its sender's handle.</param>
/// <param name="ReadByOther">The last message the other member has read (0: none): "Seen" up to it.</param>
public sealed record ConversationDetail(ConversationSummary Summary, IReadOnlyList<(Message Message, string FromHandle)> Messages, long ReadByOther = 0);

/// <summary>A member's conversations in three folders (SPEC §3): Inbox, Requests, Sent.</summary>
public sealed class ConversationService(ReachDb db)
{
    public const int PageSize = 50;

    /// <summary>The longest preview of a last message, in characters.</summary>
    public const int PreviewLength = 120;

    public static readonly string[] Folders = ["inbox", "requests", "sent"];

    public async Task<IReadOnlyList<ConversationSummary>> ListAsync(long memberId, string folder, int page, CancellationToken cancel)
    {
        var mine = db.Conversations.Where(c => c.LowId == memberId || c.HighId == memberId);
        var inFolder = folder switch
        {
            "requests" => mine.Where(c => c.RequestForId == memberId && !c.Declined),
            "sent" => mine.Where(c => (c.RequestForId != null && c.RequestForId != memberId) || (c.Declined && ((c.LowId == memberId && c.LowHasWritten) || (c.HighId == memberId && c.HighHasWritten)))),
            _ => mine.Where(c => c.RequestForId == null && !c.Declined),
        };
        var rows = await inFolder
            .OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Id)
            .Skip(page * PageSize).Take(PageSize)
            .Select(c => new
            {
                c.Id,
                c.LastMessageAt,
                OtherId = c.LowId == memberId ? c.HighId : c.LowId,
                Unread = c.LowId == memberId ? c.LowUnread : c.HighUnread,
                Last = db.Messages.Where(m => m.ConversationId == c.Id).OrderByDescending(m => m.Id)
                    .Select(m => new { m.SenderId, m.Body, m.SentAt }).FirstOrDefault(),
            })
            .Join(db.Members, c => c.OtherId, m => m.Id, (c, m) => new { c.Id, c.LastMessageAt, c.Unread, c.Last, Member = m })
            .AsNoTracking()
            .ToListAsync(cancel);
        var me = rows.Count == 0 ? null : await db.Members.AsNoTracking().Where(m => m.Id == memberId).Select(m => m.Handle).FirstAsync(cancel);
        return [.. rows.Select(row => new ConversationSummary(
            row.Id, folder, row.Member, row.LastMessageAt,
            row.Last is { } last ? new LastMessage(last.SenderId == memberId ? me! : row.Member.Handle, Preview(last.Body), last.SentAt) : null,
            row.Unread))];
    }

    /// <summary>How many of the member's conversations have messages they have not read (the Messages tab's count).</summary>
    public Task<int> UnreadConversationsAsync(long memberId, CancellationToken cancel) =>
        db.Conversations.CountAsync(c => (c.LowId == memberId && c.LowUnread > 0) || (c.HighId == memberId && c.HighUnread > 0), cancel);

    /// <summary>
    /// The member has read the conversation (its page opened, or a client said so): their unread count goes to zero
    /// and the other side will see "Seen" on what they wrote. Exact under concurrent sends: the row is locked first
    /// (PostgreSQL; on SQLite writes are serialized), so a message is either counted read or left unread.
    /// </summary>
    public async Task<Outcome<bool>> MarkReadAsync(long memberId, long conversationId, CancellationToken cancel) =>
        await db.InTransactionAsync<Outcome<bool>>(async c =>
        {
            await using var batch = StatementBatch.On(db);
            batch.Add(MessagingSql.LockConversation).Set("conversation", conversationId);
            var marked = batch.Results;
            batch.Add(MessagingSql.MarkRead).Set("m", memberId).Set("conversation", conversationId);
            await using var reader = await batch.ExecuteAsync(c);
            await reader.MoveToAsync(marked);
            return await reader.ReadAsync() ? true : Failure.NotFound("Conversation");
        }, cancel);

    // The first words of a message, on one line.
    private static string Preview(string body)
    {
        var line = string.Join(' ', body.Split((char[]?)null, 40, StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= PreviewLength ? line : string.Concat(line.AsSpan(0, PreviewLength - 1).TrimEnd(), "…");
    }

    public async Task<Outcome<ConversationDetail>> GetAsync(long memberId, long conversationId, CancellationToken cancel)
    {
        var conversation = await db.Conversations.AsNoTracking()
            .FirstOrDefaultAsync(c => c.Id == conversationId && (c.LowId == memberId || c.HighId == memberId), cancel);
        if (conversation is null)
        {
            return Failure.NotFound("Conversation");
        }

        var other = await db.Members.AsNoTracking().FirstAsync(m => m.Id == conversation.Other(memberId), cancel);
        var me = await db.Members.AsNoTracking().FirstAsync(m => m.Id == memberId, cancel);
        var messages = await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversationId)
            .OrderBy(m => m.Id)
            .Take(1000)
            .ToListAsync(cancel);
        var folder = conversation.RequestForId == memberId && !conversation.Declined ? "requests"
            : conversation.RequestForId is null && !conversation.Declined ? "inbox"
            : "sent";
        return new ConversationDetail(
            new ConversationSummary(conversation.Id, folder, other, conversation.LastMessageAt, Unread: conversation.Unread(memberId)),
            [.. messages.Select(m => (m, m.SenderId == memberId ? me.Handle : other.Handle))],
            conversation.ReadByOther(memberId));
    }
}
