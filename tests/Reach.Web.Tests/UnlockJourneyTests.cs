using System.Text;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Reach.Web.Tests;

/// <summary>Locked, then unlocked by what the notice offers: an invitation, an email, settings; and what a block shows.</summary>
public sealed class UnlockJourneyTests(Browser browser, WebHost host) : BrowserTest, IClassFixture<WebHost>
{
    [Fact]
    public async Task ConnectionsOnlyRecipientOpensAfterTheInvitationIsAccepted()
    {
        var rosa = await host.SignUpAsync("Rosa Franklin", settings: new { whoCanMessage = "connections", acceptInMail = true });
        var sam = await host.SignUpAsync("Sam Okafor");
        var page = await host.SignInAsync(browser.Chromium, sam.Email);

        await page.GotoAsync($"/m/{rosa.Handle}");
        await Expect(page.GetByTestId("lock")).ToContainTextAsync("Message locked");
        Assert.Equal(["connections_only"], await page.ReasonsAsync());
        Assert.Equal(["send_invitation", "upgrade", "mention_in_post", "bookmark"], await page.RemediesAsync());
        await Expect(page.GetByTestId("lock")).ToContainTextAsync("Rosa accepts messages only from their connections.");
        await page.ShotAsync("profile-connections-only");

        await page.GetByLabel("Invite Rosa to connect").FillAsync("We met at the data summit; I'd like to stay in touch.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send invitation" }).ClickAsync();
        await Expect(page.Notice()).ToHaveTextAsync("Invitation sent.");
        await page.AssertAccessibleAsync("a success notice");
        Assert.Equal(["invitation_pending", "upgrade", "mention_in_post", "bookmark"], await page.RemediesAsync());

        var rosaPage = await host.SignInAsync(browser.Chromium, rosa.Email);
        await rosaPage.GotoAsync("/network");
        var invitation = rosaPage.GetByTestId("received").Filter(new() { HasText = "Sam Okafor" });
        await Expect(invitation).ToContainTextAsync("We met at the data summit");
        await rosaPage.ShotAsync("network");
        await invitation.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(rosaPage.Notice()).ToContainTextAsync("you are now connected");
        await Expect(rosaPage.GetByTestId("connection").Filter(new() { HasText = "Sam Okafor" })).ToBeVisibleAsync();

        await page.ReloadAsync();
        await Expect(page.GetByTestId("open")).ToContainTextAsync("You are connected.");
        await page.GetByRole(AriaRole.Link, new() { Name = "Message", Exact = true }).ClickAsync();
        await page.GetByLabel("Message", new() { Exact = true }).FillAsync("Thanks for connecting, Rosa!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("message")).ToContainTextAsync("Thanks for connecting, Rosa!");
        await page.ShotAsync("conversation");
    }

    [Fact]
    public async Task KnownContactsRecipientOpensWithHerEmailOrAnAddressBookEntry()
    {
        var ada = await host.SignUpAsync("Ada Byron", settings: new { whoCanMessage = "knownContacts", acceptInMail = true });
        var ben = await host.SignUpAsync("Ben Ito");
        var cleo = await host.SignUpAsync("Cleo Ruiz");
        var page = await host.SignInAsync(browser.Chromium, ben.Email);

        await page.GotoAsync($"/m/{ada.Handle}");
        Assert.Equal(["known_contacts_only"], await page.ReasonsAsync());
        Assert.Contains("provide_email", await page.RemediesAsync());

        // A wrong address is refused with the same reason, said as such, and tells nothing more; it stays in the box.
        await page.GetByLabel("If you know Ada's email address").FillAsync("someone.else@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue with this email" }).ClickAsync();
        Assert.Equal(["known_contacts_only"], await page.ReasonsAsync());
        await Expect(page.GetByTestId("email-wrong")).ToHaveTextAsync("The address you gave is not one Ada's account uses. You can try another.");
        await page.AssertAccessibleAsync("a wrong email");
        await Expect(page.GetByLabel("If you know Ada's email address")).ToHaveValueAsync("someone.else@example.com");

        await page.GetByLabel("If you know Ada's email address").FillAsync(ada.Email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue with this email" }).ClickAsync();
        await Expect(page.GetByTestId("compose")).ToContainTextAsync("You know their email address.");
        await page.GetByLabel("Message", new() { Exact = true }).FillAsync("Hello Ada, a colleague gave me your address.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("message")).ToContainTextAsync("Hello Ada");

        // Ada imports a vCard with Cleo's address: Cleo may now write without giving Ada's email.
        var adaPage = await host.SignInAsync(browser.Chromium, ada.Email);
        await adaPage.GotoAsync("/settings");
        var vcard = $"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cleo Ruiz\r\nEMAIL;TYPE=work:{cleo.Email}\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dan\r\nitem1.EMAIL:dan@example.com\r\nEND:VCARD\r\n"
            + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Eve (no address)\r\nEND:VCARD\r\n";
        await adaPage.GetByLabel("A CSV or vCard (.vcf) file").SetInputFilesAsync(new FilePayload { Name = "contacts.vcf", MimeType = "text/vcard", Buffer = Encoding.UTF8.GetBytes(vcard) });
        await adaPage.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
        await Expect(adaPage.Notice()).ToHaveTextAsync("Imported 2 contacts. Skipped 1 card: card 3 has no email address.");
        await Expect(adaPage.GetByTestId("address-book-count")).ToHaveTextAsync("2");

        var cleoPage = await host.SignInAsync(browser.Chromium, cleo.Email);
        await cleoPage.GotoAsync($"/m/{ada.Handle}");
        await Expect(cleoPage.GetByTestId("open")).ToContainTextAsync("You know their email address.");
    }

    [Fact]
    public async Task ABlockedMemberSeesOnlyUnavailable()
    {
        var vera = await host.SignUpAsync("Vera Lind");
        var walt = await host.SignUpAsync("Walt Moss");
        var veraPage = await host.SignInAsync(browser.Chromium, vera.Email);
        await veraPage.GotoAsync($"/m/{walt.Handle}");
        await veraPage.GetByRole(AriaRole.Button, new() { Name = "Block Walt Moss" }).ClickAsync();
        await Expect(veraPage.Notice()).ToHaveTextAsync("Blocked.");

        var page = await host.SignInAsync(browser.Chromium, walt.Email);
        await page.GotoAsync($"/m/{vera.Handle}");
        Assert.Equal(["unavailable"], await page.ReasonsAsync());
        Assert.Empty(await page.RemediesAsync());
        var notice = await page.GetByTestId("lock").InnerTextAsync();
        Assert.Contains("You can't message Vera.", notice, StringComparison.Ordinal);
        Assert.DoesNotContain("block", notice, StringComparison.OrdinalIgnoreCase);

        // The blocker's side is hidden too: the people list does not show her.
        await page.GotoAsync("/?q=Vera+Lind");
        await Expect(page.GetByText("Nobody matches.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task ASettingsChangeTakesEffectAndANotificationArrivesLive()
    {
        var nora = await host.SignUpAsync("Nora Quist");
        var omar = await host.SignUpAsync("Omar Haddad");
        var noraPage = await host.SignInAsync(browser.Chromium, nora.Email);
        await noraPage.GotoAsync("/settings");
        await noraPage.GetByLabel("Connections only").CheckAsync();
        await noraPage.GetByRole(AriaRole.Button, new() { Name = "Save messaging settings" }).ClickAsync();
        await Expect(noraPage.Notice()).ToHaveTextAsync("Messaging settings saved.");
        await noraPage.ShotAsync("settings");

        var page = await host.SignInAsync(browser.Chromium, omar.Email);
        await page.GotoAsync($"/m/{nora.Handle}");
        Assert.Equal(["connections_only"], await page.ReasonsAsync());

        await noraPage.GetByLabel("Anyone").CheckAsync();
        await noraPage.GetByRole(AriaRole.Button, new() { Name = "Save messaging settings" }).ClickAsync();
        await Expect(noraPage.Notice()).ToHaveTextAsync("Messaging settings saved.");
        await page.ReloadAsync();
        await Expect(page.GetByTestId("open")).ToContainTextAsync("Open to messages from anyone.");

        // Omar's page stays open while Nora writes to him through the API: the bell counts it without a reload.
        await page.GotoAsync("/messages");
        await Expect(page.Locator("#bell-count")).ToHaveTextAsync("0");
        await nora.SendAsync(omar.Handle, "Hello Omar, are you coming to the meetup?");
        await Expect(page.Locator("#bell-count")).ToHaveTextAsync("1");
        await Expect(page.Locator("#toast")).ToContainTextAsync("Nora Quist sent you a message request.");

        await page.GotoAsync("/notifications");
        await Expect(page.GetByTestId("notification").First).ToHaveAttributeAsync("data-kind", "message_request");
        await page.ShotAsync("notifications");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark all read" }).ClickAsync();
        await Expect(page.Locator("#bell-count")).ToHaveTextAsync("0");
    }
}
