using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Invitations;
using Reach.Members;

namespace Reach.Server.Pages.Network;

/// <summary>Invitations received and sent, and connections (SPEC §2.4).</summary>
public sealed class NetworkModel(InvitationService invitations, ConnectionService connections, ReachDb db) : MemberPage
{
    public IReadOnlyList<InvitationView> Received { get; private set; } = [];

    public IReadOnlyList<InvitationView> Sent { get; private set; } = [];

    public IReadOnlyList<(Member Member, DateTimeOffset Since)> Connections { get; private set; } = [];

    public IReadOnlyDictionary<string, Member> Names { get; private set; } = new Dictionary<string, Member>();

    public async Task OnGetAsync(CancellationToken cancel)
    {
        Received = await invitations.ListAsync(Me, received: true, cancel);
        Sent = await invitations.ListAsync(Me, received: false, cancel);
        Connections = await connections.ListAsync(Me, cancel);
        var handles = Received.Select(i => i.FromHandle).Concat(Sent.Select(i => i.ToHandle)).Distinct().ToList();
        Names = await db.Members.AsNoTracking().Where(m => handles.Contains(m.Handle)).ToDictionaryAsync(m => m.Handle, cancel);
    }

    public async Task<IActionResult> OnPostAcceptAsync(long id, CancellationToken cancel) =>
        Done(await invitations.AcceptAsync(Me, id, cancel), "Accepted: you are now connected.");

    public async Task<IActionResult> OnPostIgnoreAsync(long id, CancellationToken cancel) =>
        Done(await invitations.IgnoreAsync(Me, id, cancel), "Ignored. The sender is not told.");

    public async Task<IActionResult> OnPostReportAsync(long id, CancellationToken cancel) =>
        Done(await invitations.ReportAsync(Me, id, cancel), "Reported. Thank you: the sender is not told who reported.");

    public async Task<IActionResult> OnPostWithdrawAsync(long id, CancellationToken cancel) =>
        Done(await invitations.WithdrawAsync(Me, id, cancel), "Invitation withdrawn.");

    private RedirectResult Done(Outcome<InvitationView> outcome, string notice) => BackTo("/network", outcome.Failure, notice);
}
