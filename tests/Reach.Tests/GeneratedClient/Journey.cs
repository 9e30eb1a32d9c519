// The README's journey, written against the client Kiota generates from the served API document. It is compiled in
// the test run with the generated code (GeneratedClientTests), not with the test project: a document that names an
// operation, a field or a type other than the API's stops it compiling, and one that describes an answer wrongly
// stops it running.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading.Tasks;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Reach.Client;
using Reach.Client.Models;

namespace Reach.Client.Journey;

public static class Journey
{
    public static async Task<IReadOnlyList<string>> RunAsync(Func<HttpClient> newHttp, string adminKey)
    {
        var steps = new List<string>();
        var anonymous = Client(newHttp, null);

        // Nora and Otto register and sign in.
        var nora = await anonymous.Api.Auth.Register.PostAsync(new RegisterRequest { Email = "nora@example.com", Password = "analytical1", Handle = "nora", DisplayName = "Nora" });
        Check(nora?.Handle == "nora", "register answers the member");
        await anonymous.Api.Auth.Register.PostAsync(new RegisterRequest { Email = "otto@example.com", Password = "difference1", Handle = "otto", DisplayName = "Otto" });
        var noraTokens = await anonymous.Api.Auth.Token.PostAsync(new TokenRequest { Email = "nora@example.com", Password = "analytical1" });
        Check(noraTokens?.AccessToken is { Length: > 0 } && noraTokens.RefreshToken is { Length: > 0 } && noraTokens.ExpiresIn > 0, "sign-in answers a token pair");
        var ottoTokens = await anonymous.Api.Auth.Token.PostAsync(new TokenRequest { Email = "otto@example.com", Password = "difference1" });
        var asNora = Client(newHttp, noraTokens!.AccessToken);
        var asOtto = Client(newHttp, ottoTokens!.AccessToken);
        steps.Add("registered and signed in");

        // Otto accepts messages from connections only.
        var settings = await asOtto.Api.Me.Settings.PutAsync(new SettingsRequest { WhoCanMessage = "connections", AcceptInMail = true });
        Check(settings?.WhoCanMessage == "connections", "settings answer what was set");

        // Nora asks first, then writes: locked, with every reason and every way to unlock it.
        var preflight = await asNora.Api.Reach["otto"].GetAsync();
        Check(preflight is { Allowed: false } && preflight.Reasons!.Contains("connections_only"), "the pre-flight says locked, connections only");
        try
        {
            await asNora.Api.Messages.PostAsync(new SendRequest { ToHandle = "otto", Body = "Hello Otto" });
            throw new InvalidOperationException("A locked message was sent.");
        }
        catch (MessageLockedProblem locked)
        {
            Check(locked.Status == 403 && locked.Code == Problem_code.Message_locked, "a locked send is 403 message_locked");
            Check(locked.Reasons!.SequenceEqual(preflight.Reasons!), "the send's reasons are the pre-flight's");
            Check(locked.Remedies!.Any(r => r.Code == "send_invitation" && r.InvitationsLeft > 0), "an invitation is a remedy");
        }

        steps.Add("locked, with reasons and remedies");

        // A bad request is a problem naming its field.
        try
        {
            await asNora.Api.Messages.PostAsync(new SendRequest { ToHandle = "otto", Body = "" });
            throw new InvalidOperationException("An empty message was sent.");
        }
        catch (Problem problem) when (problem is not MessageLockedProblem)
        {
            Check(problem.Status == 400 && problem.Code == Problem_code.Validation_failed && problem.Field == "body", "an empty body is a 400 naming body");
        }

        // She invites him; he accepts; her message goes through on the connection channel.
        var invitation = await asNora.Api.Invitations.PostAsync(new InvitationRequest { ToHandle = "otto", Note = "We met at the meetup." });
        Check(invitation?.Id is > 0 && invitation.State == "pending", "the invitation is pending");
        var received = await asOtto.Api.Invitations.GetAsync();
        Check(received?.Items?.Any(i => i.Id == invitation!.Id && i.FromHandle == "nora") == true, "Otto sees the invitation");
        var accepted = await asOtto.Api.Invitations[invitation!.Id!.Value].Accept.PostAsync();
        Check(accepted?.State == "accepted", "the invitation is accepted");
        var sent = await asNora.Api.Messages.PostAsync(new SendRequest { ToHandle = "otto", Body = "Hello Otto" });
        Check(sent is { Channel: "connection", CreditsCharged: 0, MessageId: > 0, ConversationId: > 0 }, "the message goes through on the connection channel");
        steps.Add("invited, accepted, sent");

        // Otto reads it in his inbox and answers.
        var inbox = await asOtto.Api.Conversations.GetAsync(c => c.QueryParameters.Folder = "inbox");
        var conversation = inbox!.Items!.Single(c => c.With!.Handle == "nora");
        Check(conversation.UnreadCount == 1 && conversation.LastMessage!.Preview == "Hello Otto", "the inbox shows the message unread");
        var detail = await asOtto.Api.Conversations[conversation.Id!.Value].GetAsync();
        Check(detail!.Messages!.Single().Body == "Hello Otto", "the conversation holds the message");
        var reply = await asOtto.Api.Conversations[conversation.Id!.Value].Messages.PostAsync(new ReplyRequest { Body = "Hello Nora" });
        Check(reply?.ConversationId == conversation.Id, "the reply is in the conversation");
        steps.Add("read and answered");

        // The operator moves Nora to another tier with the admin key; a member's token is not the admin key.
        var asAdmin = Client(newHttp, adminKey);
        var tiered = await asAdmin.Api.Admin.Members["nora"].Tier.PutAsync(new TierRequest { Tier = "premium_business" });
        Check(tiered?.Member?.Tier == "premium_business", "the admin sets a tier");
        try
        {
            await asNora.Api.Admin.Members["nora"].Tier.PutAsync(new TierRequest { Tier = "basic" });
            throw new InvalidOperationException("A member's token set a tier.");
        }
        catch (Problem problem)
        {
            Check(problem.Status == 401 && problem.Code == Problem_code.Unauthorized, "a member's token is refused by the admin API");
        }

        var credits = await asNora.Api.Me.Credits.GetAsync();
        Check(credits?.Balance >= 0, "credits answer a balance");
        steps.Add("admin and credits");

        // A new token pair from the refresh token; signing out ends it.
        var refreshed = await anonymous.Api.Auth.Refresh.PostAsync(new RefreshRequest { RefreshToken = noraTokens.RefreshToken });
        Check(refreshed?.AccessToken is { Length: > 0 }, "refresh answers a new pair");
        var asNoraAgain = Client(newHttp, refreshed!.AccessToken);
        Check((await asNoraAgain.Api.Me.Profile.GetAsync())?.Handle == "nora", "the new token works");
        await asNoraAgain.Api.Auth.Signout.PostAsync();
        try
        {
            await asNoraAgain.Api.Me.Profile.GetAsync();
            throw new InvalidOperationException("A token worked after signing out.");
        }
        catch (Problem problem)
        {
            Check(problem.Status == 401 && problem.Code == Problem_code.Unauthorized, "after signing out the token is refused");
        }

        steps.Add("refreshed and signed out");
        return steps;
    }

    private static ReachClient Client(Func<HttpClient> newHttp, string? bearer)
    {
        var http = newHttp();
        if (bearer is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return new ReachClient(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http) { BaseUrl = http.BaseAddress!.ToString().TrimEnd('/') });
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Failed: " + what);
        }
    }
}
