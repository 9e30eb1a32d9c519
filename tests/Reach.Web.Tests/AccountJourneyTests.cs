using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Reach.Web.Tests;

/// <summary>Joining, signing out and in, and answering a message request.</summary>
public sealed class AccountJourneyTests(Browser browser, WebHost host) : IClassFixture<WebHost>
{
    [Fact]
    public async Task ANewMemberJoinsSignsOutAndSignsBackIn()
    {
        var handle = "quinn_" + Guid.NewGuid().ToString("N")[..8];
        var context = await browser.Chromium.NewContextAsync(new() { BaseURL = host.BaseUrl.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/messages");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin\\?ReturnUrl=%2Fmessages$"));

        var taken = await host.SignUpAsync("Quinn Taken");
        await page.GotoAsync("/signup");
        await page.GetByLabel("Your name").FillAsync("Quinn Adeyemi");
        await page.GetByLabel("Handle").FillAsync(taken.Handle);
        await page.GetByLabel("Email").FillAsync(handle + "@example.com");
        await page.GetByLabel("Password").FillAsync(WebHost.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.Locator(".field-validation-error")).ToHaveTextAsync("This handle is taken.");

        await page.GetByLabel("Handle").FillAsync(handle);
        await page.GetByLabel("Password").FillAsync(WebHost.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/settings$"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "@" + handle })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin$"));
        await page.GetByLabel("Email").FillAsync(handle + "@example.com");
        await page.GetByLabel("Password").FillAsync("not the password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Wrong email or password.");
    }

    [Fact]
    public async Task ARequestIsAcceptedIntoTheInboxOrDeclined()
    {
        var tess = await host.SignUpAsync("Tess Marlow");
        var uma = await host.SignUpAsync("Uma Sato");
        var viktor = await host.SignUpAsync("Viktor Olsen");
        await uma.SendAsync(tess.Handle, "Hi Tess, may I ask about your team?");
        await viktor.SendAsync(tess.Handle, "Buy my course!");

        var page = await host.SignInAsync(browser.Chromium, tess.Email);
        await page.GotoAsync("/messages?folder=requests");
        await page.GetByRole(AriaRole.Link, new() { Name = "Uma Sato" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(page.Notice()).ToContainTextAsync("Accepted");
        await page.GotoAsync("/messages?folder=inbox");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Uma Sato" })).ToBeVisibleAsync();

        await page.GotoAsync("/messages?folder=requests");
        await page.GetByRole(AriaRole.Link, new() { Name = "Viktor Olsen" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Decline" }).ClickAsync();
        await Expect(page.Notice()).ToHaveTextAsync("Request declined.");
        await Expect(page.GetByText("No message requests.")).ToBeVisibleAsync();
    }
}
