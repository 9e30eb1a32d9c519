using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Reach.Web.Tests;

/// <summary>Joining, signing out and in, and answering a message request.</summary>
public sealed class AccountJourneyTests(Browser browser, WebHost host) : BrowserTest, IClassFixture<WebHost>
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
        await Expect(page.Locator(".field-validation-error")).ToHaveTextAsync("This handle is taken: choose another.");

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
    public async Task AnEmptySignUpSaysWhatEachFieldNeedsAtOnce()
    {
        var page = await (await browser.Chromium.NewContextAsync(new() { BaseURL = host.BaseUrl.ToString() })).NewPageAsync();
        await page.GotoAsync("/signup");
        // The browser's own checks are turned off, as an old browser or a script would send the form.
        await page.Locator("form").EvaluateAsync("form => form.noValidate = true");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();

        await Expect(page.Locator(".field-validation-error")).ToHaveTextAsync(
        [
            "Enter your name.",
            "Choose a handle of 3 to 30 characters, using a–z, 0–9, _ and -.",
            "Enter your email address, such as name@example.com.",
            "Choose a password of at least 8 characters.",
        ]);

        await page.GetByLabel("Your name").FillAsync("Quinn Short");
        await page.GetByLabel("Handle").FillAsync("q_" + Guid.NewGuid().ToString("N")[..8]);
        await page.GetByLabel("Email").FillAsync("not-an-address");
        await page.GetByLabel("Password").FillAsync("short");
        await page.Locator("form").EvaluateAsync("form => form.noValidate = true");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.Locator(".field-validation-error")).ToHaveTextAsync(
            ["Enter your email address, such as name@example.com.", "Your password needs at least 8 characters."]);
        await Expect(page.GetByLabel("Your name")).ToHaveValueAsync("Quinn Short");
        await page.ShotAsync("signup-errors");
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
