using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Reach.Web.Tests;

/// <summary>Search, hints, tips, posts with mentions, and a bookmark that tells when someone becomes reachable.</summary>
public sealed class ReachingPeopleJourneyTests(Browser browser, WebHost host) : BrowserTest, IClassFixture<WebHost>
{
    [Fact]
    public async Task SearchFiltersToPeopleICanMessageAndShowsTheirHints()
    {
        var tag = "q" + Guid.NewGuid().ToString("N")[..6];
        var open = await host.SignUpAsync("Olga Open");
        var closed = await host.SignUpAsync("Carl Closed", settings: new { whoCanMessage = "connections", acceptInMail = false });
        await open.Client.PatchAsJsonAsync("/api/me/profile", new { company = tag, openToWork = true });
        await closed.Client.PatchAsJsonAsync("/api/me/profile", new { company = tag });
        var me = await host.SignUpAsync("Mira Search");

        var page = await host.SignInAsync(browser.Chromium, me.Email);
        await page.GotoAsync("/");
        await page.GetByLabel("Name, handle, headline or company").FillAsync(tag);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.GetByTestId("hit")).ToHaveCountAsync(2);

        await page.GetByLabel("I can message now").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.GetByTestId("hit")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("hit")).ToHaveAttributeAsync("data-handle", open.Handle);
        await page.ShotAsync("search");

        await page.GetByRole(AriaRole.Link, new() { Name = "Olga Open" }).ClickAsync();
        await Expect(page.GetByTestId("hints").Locator("[data-signal='open_to_work']")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("score")).ToHaveTextAsync("55");
    }

    [Fact]
    public async Task TheComposePageGivesTipsThatNeverBlock()
    {
        var ada = await host.SignUpAsync("Ada Byron");
        var me = await host.SignUpAsync("Tom Tips");
        var page = await host.SignInAsync(browser.Chromium, me.Email);
        await page.GotoAsync($"/messages/new?to={ada.Handle}");
        await Expect(page.Locator("[data-tip='connect_first']")).ToBeVisibleAsync();

        await page.GetByLabel("Message", new() { Exact = true }).FillAsync("hey. buy my thing");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check my message" }).ClickAsync();
        await Expect(page.Locator("[data-tip='not_personal']")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-tip='no_reason_first']")).ToBeVisibleAsync();
        await page.ShotAsync("compose-tips");

        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("message")).ToContainTextAsync("buy my thing");
    }

    [Fact]
    public async Task APostIsCommentedAnsweredAndShared()
    {
        var author = await host.SignUpAsync("Nina Author");
        var reader = await host.SignUpAsync("Rex Reader");
        var authorPage = await host.SignInAsync(browser.Chromium, author.Email);
        await authorPage.GotoAsync("/posts/new");
        await authorPage.GetByLabel("Post").FillAsync("We shipped the new search today.");
        await authorPage.GetByRole(AriaRole.Button, new() { Name = "Post", Exact = true }).ClickAsync();

        var page = await host.SignInAsync(browser.Chromium, reader.Email);
        await page.GotoAsync($"/m/{author.Handle}");
        await page.GetByTestId("post").GetByRole(AriaRole.Link, new() { Name = "0 comments" }).ClickAsync();
        await page.GetByLabel("Comment", new() { Exact = true }).FillAsync("Congratulations, it is fast!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Comment", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("comment")).ToContainTextAsync("Congratulations");
        var postUrl = page.Url;

        await authorPage.GotoAsync(postUrl);
        await authorPage.GetByLabel("Answer Rex Reader").FillAsync("Thank you, Rex!");
        await authorPage.GetByRole(AriaRole.Button, new() { Name = "Answer" }).ClickAsync();
        await Expect(authorPage.GetByTestId("comment").Last).ToContainTextAsync("Thank you, Rex!");

        await page.GotoAsync(postUrl);
        await page.GetByLabel("Share with a comment").FillAsync("Worth a look");
        await page.GetByRole(AriaRole.Button, new() { Name = "Share" }).ClickAsync();
        await Expect(page.GetByTestId("post").First).ToContainTextAsync("Worth a look");
        await Expect(page.GetByTestId("post").First).ToContainTextAsync("We shipped the new search today.");
        await page.ShotAsync("posts");

        // Nina answered every comment on her post: the engagement signal shows on her profile.
        await page.GotoAsync($"/m/{author.Handle}");
        await Expect(page.GetByTestId("hints").Locator("[data-signal='engagement']")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task AMentionInAPostNotifiesAndABookmarkTellsWhenSomeoneOpens()
    {
        var rita = await host.SignUpAsync("Rita Quell", settings: new { whoCanMessage = "connections", acceptInMail = false });
        var me = await host.SignUpAsync("Paul Poster");
        var page = await host.SignInAsync(browser.Chromium, me.Email);

        await page.GotoAsync($"/m/{rita.Handle}");
        await page.Remedy("mention_in_post").GetByRole(AriaRole.Link, new() { Name = "Write a post" }).ClickAsync();
        await Expect(page.GetByLabel("Post")).ToHaveValueAsync($"@{rita.Handle} ");
        await page.GetByLabel("Post").PressSequentiallyAsync("your talk on queues was great!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Post", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("post").First).ToContainTextAsync("your talk on queues was great!");

        var ritaPage = await host.SignInAsync(browser.Chromium, rita.Email);
        await ritaPage.GotoAsync("/notifications");
        await Expect(ritaPage.GetByTestId("notification").Filter(new() { HasText = "Paul Poster mentioned you in a post." })).ToBeVisibleAsync();

        await page.GotoAsync($"/m/{rita.Handle}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Notify me when I can message Rita" }).ClickAsync();
        await Expect(page.Notice()).ToContainTextAsync("Bookmarked");
        await page.GotoAsync("/bookmarks");
        await Expect(page.GetByTestId("bookmark")).ToContainTextAsync("Locked");

        await ritaPage.GotoAsync("/settings");
        await ritaPage.GetByLabel("Anyone").CheckAsync();
        await ritaPage.GetByRole(AriaRole.Button, new() { Name = "Save messaging settings" }).ClickAsync();
        await Expect(page.Locator("#toast")).ToContainTextAsync("You can message Rita Quell now.");
        await page.ReloadAsync();
        await Expect(page.GetByTestId("bookmark")).ToContainTextAsync("Open");
    }
}
