using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Reach.Data;
using Reach.Members;
using Reach.Messaging;
using Reach.Policy;

namespace Reach.Server.Api;

/// <summary>A member as others see them: no email, no settings, no counts.</summary>
public sealed record MemberJson(
    string Handle, string DisplayName, string? Headline, string? Company, string? PhotoUrl, bool OpenToWork,
    string Tier, bool PremiumBadge)
{
    public static MemberJson From(Member member, ReachPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(policy);
        var tier = policy.FindTier(member.TierId) ?? policy.DefaultTier;
        return new MemberJson(member.Handle, member.DisplayName, member.Headline, member.Company, member.PhotoUrl, member.OpenToWork, tier.Id, tier.PremiumBadge);
    }
}

public sealed record ProfileJson(MemberJson Member, HintsJson Hints, DecisionJson? Decision);

public sealed record SettingsJson(string WhoCanMessage, bool AcceptInMail, bool OpenProfile)
{
    public static SettingsJson From(Member member) => new(member.WhoCanMessage.Code(), member.AcceptInMail, member.OpenProfile);
}

public sealed record AddressBookRequest(IReadOnlyList<string?>? Emails);

public sealed record CountJson(int Count);

/// <summary>An address book import: the addresses kept, and each row of a file passed over (CSV and vCard only).</summary>
public sealed record AddressBookJson(int Count, IReadOnlyList<SkippedRowJson> Skipped);

/// <summary>A row of an imported file (a card of a vCard file) not imported: <c>no_email</c>, <c>not_an_email</c> or <c>duplicate</c>.</summary>
public sealed record SkippedRowJson(int Row, string Reason, string? Value);

public sealed record ConnectionJson(MemberJson Member, DateTimeOffset Since);

/// <summary>Profiles, the signed-in member's own profile, settings, address book and connections.</summary>
public static class MembersApi
{
    public static void MapMembers(this IEndpointRouteBuilder app)
    {
        var members = app.MapGroup("/api/members").WithTags("Members").RequireAuthorization();

        members.MapGet("/{handle}", async Task<Results<Ok<ProfileJson>, ProblemHttpResult>> (
            string handle, ClaimsPrincipal user, ReachDb db, StaleReads reads, Preflight preflight, Hints hints, ReachPolicy policy, CancellationToken cancel) =>
        {
            // The profile and its hints are a stale-tolerant read; a member a standby does not know yet (just signed up)
            // is looked for on the primary, which the decision below reads anyway.
            var me = user.MemberId();
            var source = await reads.ForAsync(StaleRead.Profile, me, cancel);
            var member = await source.FindByHandleAsync(handle, cancel);
            if (member is null && source != db)
            {
                source = db;
                member = await db.FindByHandleAsync(handle, cancel);
            }

            if (member is null)
            {
                return Problems.For(Failure.NotFound("Member"), policy);
            }

            var hint = HintsJson.From(await hints.ForAsync(source, member, cancel));
            if (member.Id == me)
            {
                return TypedResults.Ok(new ProfileJson(MemberJson.From(member, policy), hint, null));
            }

            var decided = await preflight.DecideAsync(me, handle, inMail: false, recipientEmail: null, cancel);
            return decided.Failure is { } failure
                ? Problems.For(failure, policy)
                : TypedResults.Ok(new ProfileJson(MemberJson.From(member, policy), hint, DecisionJson.From(decided.Value!, policy)));
        })
            .Describe("getMember", "A member's profile", "The member's public profile, receptiveness hints, and whether the caller can message them (the pre-flight's decision).");

        var me = app.MapGroup("/api/me").WithTags("Me").RequireAuthorization();

        me.MapGet("/profile", async Task<Ok<MemberJson>> (ClaimsPrincipal user, ReachDb db, ReachPolicy policy, CancellationToken cancel) =>
            TypedResults.Ok(MemberJson.From(await db.Members.AsNoTracking().FirstAsync(m => m.Id == user.MemberId(), cancel), policy)))
            .Describe("getMyProfile", "My profile", "My profile.");

        me.MapPatch("/profile", async Task<Results<Ok<MemberJson>, ProblemHttpResult>> (
            ProfilePatch patch, ClaimsPrincipal user, AccountService accounts, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await accounts.UpdateProfileAsync(user.MemberId(), patch, cancel);
            return outcome.Failure is { } failure ? Problems.For(failure, policy) : TypedResults.Ok(MemberJson.From(outcome.Value!, policy));
        })
            .Describe("updateMyProfile", "Update my profile", "Changes the fields given (display name, headline, company, open to work).");

        me.MapGet("/settings", async Task<Ok<SettingsJson>> (ClaimsPrincipal user, ReachDb db, CancellationToken cancel) =>
            TypedResults.Ok(SettingsJson.From(await db.Members.AsNoTracking().FirstAsync(m => m.Id == user.MemberId(), cancel))))
            .Describe("getMySettings", "My messaging settings", "Who may message the caller, whether InMail is accepted, open profile.");

        me.MapPut("/settings", async Task<Results<Ok<SettingsJson>, ProblemHttpResult>> (
            SettingsRequest request, ClaimsPrincipal user, AccountService accounts, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await accounts.UpdateSettingsAsync(user.MemberId(), request, cancel);
            return outcome.Failure is { } failure ? Problems.For(failure, policy) : TypedResults.Ok(SettingsJson.From(outcome.Value!));
        })
            .Describe("updateMySettings", "Set my messaging settings", "Who may message the caller (`anyone`, `connections`, `knownContacts`), whether InMail is accepted, open profile.");

        me.MapPut("/address-book", async Task<Results<Ok<AddressBookJson>, ProblemHttpResult>> (
            HttpRequest http, ClaimsPrincipal user, AccountService accounts, ReachPolicy policy, CancellationToken cancel) =>
        {
            var import = await AddressBookBody.ReadAsync(http, cancel);
            if (import.Failure is { } invalid)
            {
                return Problems.For(invalid, policy);
            }

            var outcome = await accounts.ReplaceAddressBookAsync(user.MemberId(), import.Value!.Emails, cancel);
            return outcome.Failure is { } failure
                ? Problems.For(failure, policy)
                : TypedResults.Ok(new AddressBookJson(outcome.Value, [.. import.Value.Skipped.Select(row => new SkippedRowJson(row.Row, row.Reason, row.Value))]));
        }).Accepts<AddressBookRequest>("application/json", "text/csv", "text/vcard", "text/x-vcard")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(AddressBookBody.MaxBytes))
            .Describe("replaceAddressBook", "Replace my address book", "The emails of people who may message the caller under `knownContacts`: a JSON list, CSV (`text/csv`) or vCard 3/4 (`text/vcard`). Rows without a usable email are skipped and listed.");

        me.MapGet("/connections", async Task<Ok<ListJson<ConnectionJson>>> (
            ClaimsPrincipal user, ConnectionService connections, ReachPolicy policy, CancellationToken cancel) =>
        {
            var list = await connections.ListAsync(user.MemberId(), cancel);
            return TypedResults.Ok(new ListJson<ConnectionJson>([.. list.Select(c => new ConnectionJson(MemberJson.From(c.Member, policy), c.Since))]));
        })
            .Describe("listConnections", "List my connections", "List my connections.");

        me.MapDelete("/connections/{handle}", async Task<Results<NoContent, ProblemHttpResult>> (
            string handle, ClaimsPrincipal user, ConnectionService connections, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await connections.RemoveAsync(user.MemberId(), handle, cancel);
            return outcome.Failure is { } failure ? Problems.For(failure, policy) : TypedResults.NoContent();
        })
            .Describe("removeConnection", "Remove a connection", "Remove a connection.");
    }
}

/// <summary>A list in the API's shape: <c>{items, next?}</c>.</summary>
public sealed record ListJson<T>(IReadOnlyList<T> Items, string? Next = null);
