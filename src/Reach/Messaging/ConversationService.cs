using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Members;

namespace Reach.Messaging;

public sealed record ConversationSummary(long Id, string Folder, Member With, DateTimeOffset LastMessageAt);

public sealed record ConversationDetail(ConversationSummary Summary, IReadOnlyList<(Message Message, string FromHandle)> Messages);

/// <summary>A member's conversations in three folders (SPEC §3): Inbox, Requests, Sent.</summary>
public sealed class ConversationService(ReachDb db)
{
    public const int PageSize = 50;

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
            .Join(db.Members, c => c.LowId == memberId ? c.HighId : c.LowId, m => m.Id, (c, m) => new { c.Id, c.LastMessageAt, Member = m })
            .AsNoTracking()
            .ToListAsync(cancel);
        return [.. rows.Select(row => new ConversationSummary(row.Id, folder, row.Member, row.LastMessageAt))];
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
            new ConversationSummary(conversation.Id, folder, other, conversation.LastMessageAt),
            [.. messages.Select(m => (m, m.SenderId == memberId ? me.Handle : other.Handle))]);
    }
}
