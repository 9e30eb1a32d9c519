using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Reach.Web.Tests;

/// <summary>The <c>--demo</c> network: a newcomer signs in as alex and meets every kind of lock.</summary>
public sealed class DemoNetworkTests(Browser browser, DemoHost host) : BrowserTest, IClassFixture<DemoHost>
{
    [Theory]
    [InlineData("grace", "connections_only")]
    [InlineData("ada", "known_contacts_only")]
    [InlineData("linus", "monthly_limit_reached")]
    [InlineData("margaret", "premium_required")]
    [InlineData("frances", "awaiting_reply")]
    [InlineData("ken", "unavailable")]
    public async Task AlexMeetsEachKindOfLock(string handle, string reason)
    {
        var page = await host.SignInAsync(browser.Chromium, "alex@demo.reach", Demo.DemoNetwork.Password);
        await page.GotoAsync($"/m/{handle}");
        Assert.Equal([reason], await page.ReasonsAsync());
        await page.ShotAsync("demo-" + handle);
    }

    [Theory]
    [InlineData("dennis", "You are connected.")]
    [InlineData("katherine", "You are already in a conversation.")]
    [InlineData("alan", "Open to messages from anyone.")]
    public async Task AlexCanWriteToOthers(string handle, string channel)
    {
        var page = await host.SignInAsync(browser.Chromium, "alex@demo.reach", Demo.DemoNetwork.Password);
        await page.GotoAsync($"/m/{handle}");
        await Expect(page.GetByTestId("open")).ToContainTextAsync(channel);
    }

    [Fact]
    public async Task MessageOnTheProfileOfSomeoneWhoWroteFirstOpensTheConversation()
    {
        var page = await host.SignInAsync(browser.Chromium, "alex@demo.reach", Demo.DemoNetwork.Password);
        await page.GotoAsync("/m/katherine");
        await page.GetByTestId("open").GetByRole(AriaRole.Link, new() { Name = "Message", Exact = true }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/messages/[0-9]+$"));
        await Expect(page.GetByTestId("message").First).ToBeVisibleAsync();
    }

    [Fact]
    public async Task AlexHasAnInboxRequestsInvitationsAndNotifications()
    {
        var page = await host.SignInAsync(browser.Chromium, "alex@demo.reach", Demo.DemoNetwork.Password);
        await page.GotoAsync("/messages?folder=inbox");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Dennis Ritchie" })).ToBeVisibleAsync();
        await page.ShotAsync("demo-inbox");
        await page.GotoAsync("/messages?folder=requests");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Hedy Lamarr" })).ToBeVisibleAsync();
        await page.GotoAsync("/network");
        await Expect(page.GetByTestId("received").Filter(new() { HasText = "Alan Turing" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("sent").Filter(new() { HasText = "Barbara Liskov" })).ToBeVisibleAsync();
        await page.ShotAsync("demo-network");
        Assert.NotEqual("0", await page.Locator("#bell-count").InnerTextAsync());

        var sam = await host.SignInAsync(browser.Chromium, "sam@demo.reach", Demo.DemoNetwork.Password);
        await sam.GotoAsync("/plan");
        await Expect(sam.GetByTestId("tier")).ToHaveTextAsync("Sales Navigator Pro");
        await sam.ShotAsync("demo-plan");
        await sam.GotoAsync("/m/tim");
        await Expect(sam.Remedy("use_inmail")).ToBeVisibleAsync();
        await Expect(sam.GetByTestId("inmail-lock")).ToHaveCountAsync(0);

        // Sam's InMail to Grace waits for her answer: her profile says why InMail is locked too, not only the message.
        await sam.GotoAsync("/m/grace");
        await Expect(sam.GetByTestId("lock").Locator("[data-reason]")).ToHaveAttributeAsync("data-reason", "connections_only");
        var inMail = sam.GetByTestId("inmail-lock");
        await Expect(inMail.GetByRole(AriaRole.Heading, new() { Name = "InMail locked" })).ToBeVisibleAsync();
        await Expect(inMail.Locator("[data-reason=awaiting_reply]")).ToContainTextAsync("Your InMail to Grace is not answered yet");
        await sam.ShotAsync("demo-inmail-locked");
        await sam.GotoAsync("/messages/new?to=grace");
        await Expect(sam.GetByTestId("inmail-lock").Locator("[data-reason=awaiting_reply]")).ToBeVisibleAsync();
        await sam.GotoAsync("/messages/new?to=grace&inMail=true");
        await Expect(sam.GetByTestId("inmail-lock").GetByRole(AriaRole.Heading, new() { Name = "InMail locked" })).ToBeVisibleAsync();
    }
}
