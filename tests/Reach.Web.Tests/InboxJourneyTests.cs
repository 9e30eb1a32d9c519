using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Reach.Web.Tests;

/// <summary>The inbox: a preview and an unread count until the conversation is opened, and "Seen" for its sender.</summary>
public sealed class InboxJourneyTests(Browser browser, WebHost host) : BrowserTest, IClassFixture<WebHost>
{
    [Fact]
    public async Task AnUnreadConversationShowsItsPreviewUntilOpenedAndItsSenderThenSeesSeen()
    {
        var tess = await host.SignUpAsync("Tess Marlow");
        var uma = await host.SignUpAsync("Uma Sato");
        await uma.SendAsync(tess.Handle, "Hi Tess, may I ask about your team and how you hire?");

        var page = await host.SignInAsync(browser.Chromium, tess.Email);
        await page.GotoAsync("/messages?folder=requests");
        var item = page.GetByTestId("conversation").Filter(new() { HasText = "Uma Sato" });
        await Expect(item.GetByTestId("preview")).ToHaveTextAsync("Hi Tess, may I ask about your team and how you hire?");
        await Expect(item.GetByTestId("unread")).ToHaveTextAsync("1 unread");
        await Expect(page.GetByTestId("messages-count")).ToContainTextAsync("1");

        await item.GetByRole(AriaRole.Link, new() { Name = "Uma Sato" }).ClickAsync();
        await Expect(page.GetByTestId("message")).ToContainTextAsync("may I ask about your team");
        // The bubble shows the text from its first line: no blank line above it (the template's whitespace is not text).
        Assert.Equal("Hi Tess, may I ask about your team and how you hire?", await page.GetByTestId("message").Locator(".text").InnerTextAsync());
        var bubble = (await page.GetByTestId("message").BoundingBoxAsync())!;
        var text = (await page.GetByTestId("message").Locator(".text").BoundingBoxAsync())!;
        Assert.True(text.Y - bubble.Y < 14, $"The text starts {text.Y - bubble.Y} px below the bubble's top.");
        await page.GotoAsync("/messages?folder=requests");
        await Expect(page.GetByTestId("conversation").Filter(new() { HasText = "Uma Sato" })).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("conversation").Filter(new() { HasText = "Uma Sato" }).GetByTestId("unread")).ToHaveCountAsync(0);
        Assert.True(await page.GetByTestId("messages-count").CountAsync() == 0, await page.ContentAsync());

        var sender = await host.SignInAsync(browser.Chromium, uma.Email);
        await sender.GotoAsync("/messages?folder=sent");
        await Expect(sender.GetByTestId("conversation").Filter(new() { HasText = "Tess Marlow" }).GetByTestId("preview")).ToHaveTextAsync("You: Hi Tess, may I ask about your team and how you hire?");
        await sender.GetByRole(AriaRole.Link, new() { Name = "Tess Marlow" }).ClickAsync();
        await Expect(sender.GetByTestId("seen")).ToHaveTextAsync("· Seen");
        await sender.AssertAccessibleAsync("a conversation with Seen");
    }

    [Fact]
    public async Task AConversationThatCannotBeAnsweredShowsTheLockInsteadOfTheReplyBox()
    {
        var wes = await host.SignUpAsync("Wes Okafor");
        var yara = await host.SignUpAsync("Yara Lind");
        await wes.SendAsync(yara.Handle, "Hello Yara, a question about your talk.");
        await wes.SendAsync(yara.Handle, "Following up on my question.");

        var page = await host.SignInAsync(browser.Chromium, wes.Email);
        await page.GotoAsync("/messages?folder=sent");
        await page.GetByRole(AriaRole.Link, new() { Name = "Yara Lind" }).ClickAsync();

        await Expect(page.GetByTestId("lock")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync("a locked conversation");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Send reply" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task AMissingPageIsAnHtmlPageForABrowser()
    {
        var member = await host.SignUpAsync("Zed Quill");
        var page = await host.SignInAsync(browser.Chromium, member.Email);

        var response = await page.GotoAsync("/m/nobody_at_all_here");
        Assert.Equal(404, response!.Status);
        Assert.StartsWith("text/html", response.Headers["content-type"], StringComparison.Ordinal);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Page not found" })).ToBeVisibleAsync();
        Assert.Equal(404, (await page.GotoAsync("/messages/99999999"))!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Page not found" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task AnOpenConversationAndTheListShowNewMessagesWithoutAReload()
    {
        var ann = await host.SignUpAsync("Ann Lively");
        var ben = await host.SignUpAsync("Ben Lively");
        var cid = await host.SignUpAsync("Cid Lively");
        await ben.SendAsync(ann.Handle, "First, a hello.");

        var page = await host.SignInAsync(browser.Chromium, ann.Email);
        await page.GotoAsync("/messages?folder=requests");
        await page.GetByRole(AriaRole.Link, new() { Name = "Ben Lively" }).ClickAsync();
        await Expect(page.Locator("html[data-live=connected]")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("message")).ToHaveCountAsync(1);

        await ben.SendAsync(ann.Handle, "Second, a question.");
        await Expect(page.GetByTestId("message")).ToHaveCountAsync(2);
        await Expect(page.GetByTestId("message").Last).ToContainTextAsync("Second, a question.");
        await page.AssertAccessibleAsync("a conversation updated live");

        await page.GotoAsync("/messages?folder=requests");
        await Expect(page.Locator("html[data-live=connected]")).ToHaveCountAsync(1);
        await cid.SendAsync(ann.Handle, "Hi Ann, from Cid.");
        var item = page.GetByTestId("conversation").Filter(new() { HasText = "Cid Lively" });
        await Expect(item.GetByTestId("preview")).ToHaveTextAsync("Hi Ann, from Cid.");
        await Expect(item.GetByTestId("unread")).ToHaveTextAsync("1 unread");
        await Expect(page.GetByTestId("messages-count")).ToContainTextAsync("1");
        await page.AssertAccessibleAsync("a list updated live");
    }

    [Fact]
    public async Task CheckingADraftWithNothingToImproveSaysSo()
    {
        var dora = await host.SignUpAsync("Dora Vale");
        var emil = await host.SignUpAsync("Emil Brandt");
        var invite = await dora.Client.PostAsJsonAsync("/api/invitations", new { toHandle = emil.Handle });
        var id = (await invite.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetInt64();
        Assert.True((await emil.Client.PostAsync(new Uri($"/api/invitations/{id}/accept", UriKind.Relative), null)).IsSuccessStatusCode);

        var page = await host.SignInAsync(browser.Chromium, dora.Email);
        await page.GotoAsync($"/messages/new?to={emil.Handle}");
        await page.GetByLabel("Message", new() { Exact = true }).FillAsync("Emil, thank you for connecting. Your talk on storage engines was superb; may I ask you two questions about it?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check my message" }).ClickAsync();

        await Expect(page.GetByTestId("no-tips")).ToHaveTextAsync("Nothing to improve: your message reads well.");
    }
}
