using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Reach.Web.Tests;

/// <summary>Plans: a premium-only recipient opens after an admin upgrade; an InMail spends a credit that an answer returns.</summary>
public sealed class PlanJourneyTests(Browser browser, WebHost host) : BrowserTest, IClassFixture<WebHost>
{
    [Fact]
    public async Task APremiumOnlyRecipientOpensAfterTheAdminUpgradesTheSender()
    {
        var petra = await host.SignUpAsync("Petra Novak", tier: "premium_business");
        var basil = await host.SignUpAsync("Basil Grey");
        var page = await host.SignInAsync(browser.Chromium, basil.Email);

        await page.GotoAsync($"/m/{petra.Handle}");
        Assert.Equal(["premium_required"], await page.ReasonsAsync());
        await Expect(page.Remedy("upgrade")).ToContainTextAsync("These plans would unlock it: Premium Business, Sales Navigator Pro, Recruiter Lite, Recruiter.");
        await page.ShotAsync("profile-premium-only");

        var admin = await (await browser.Chromium.NewContextAsync(new() { BaseURL = host.BaseUrl.ToString() })).NewPageAsync();
        await admin.GotoAsync("/admin");
        await admin.GetByLabel("Admin key").FillAsync(WebHost.AdminKey);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Sign in as admin" }).ClickAsync();
        await admin.GetByLabel("Handle").FillAsync(basil.Handle);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        await admin.GetByLabel("Plan", new() { Exact = true }).SelectOptionAsync("sales_navigator");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Set plan" }).ClickAsync();
        await Expect(admin.GetByTestId("admin-tier")).ToHaveTextAsync("Sales Navigator Pro");

        await admin.GetByLabel("Sender").FillAsync(basil.Handle);
        await admin.GetByLabel("Recipient").FillAsync(petra.Handle);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Explain" }).ClickAsync();
        await Expect(admin.GetByTestId("trace")).ToContainTextAsync("Regular message: allowed (open)");
        await admin.ShotAsync("admin-trace");

        await page.ReloadAsync();
        await Expect(page.GetByTestId("open")).ToContainTextAsync("Open to messages from anyone.");
    }

    [Fact]
    public async Task AnInMailSpendsACreditThatComesBackWhenTheRecipientReplies()
    {
        var iris = await host.SignUpAsync("Iris Vega", settings: new { whoCanMessage = "connections", acceptInMail = true });
        var hugo = await host.SignUpAsync("Hugo Brandt", tier: "sales_navigator");
        var page = await host.SignInAsync(browser.Chromium, hugo.Email);

        await page.GotoAsync($"/m/{iris.Handle}");
        Assert.Equal(["connections_only"], await page.ReasonsAsync());
        await Expect(page.Remedy("use_inmail")).ToContainTextAsync("it costs 1 credit; you have 50.");
        await page.Remedy("use_inmail").GetByRole(AriaRole.Link, new() { Name = "Write an InMail" }).ClickAsync();
        await Expect(page.GetByTestId("compose")).ToContainTextAsync("InMail: costs 1 credit.");
        await Expect(page.GetByTestId("balance")).ToHaveTextAsync("50");
        await page.GetByLabel("Subject").FillAsync("A role on our data team");
        await page.GetByLabel("Message", new() { Exact = true }).FillAsync("Iris, your talk on storage engines was superb. Would you consider a role with us?");
        await page.ShotAsync("compose-inmail");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send InMail" }).ClickAsync();
        await Expect(page.GetByTestId("message")).ToContainTextAsync("A role on our data team");

        await page.GotoAsync("/plan");
        await Expect(page.GetByTestId("balance")).ToHaveTextAsync("49");

        var irisPage = await host.SignInAsync(browser.Chromium, iris.Email);
        await irisPage.GotoAsync("/messages?folder=requests");
        await irisPage.GetByRole(AriaRole.Link, new() { Name = "Hugo Brandt" }).ClickAsync();
        await irisPage.GetByLabel("Reply").FillAsync("Thank you Hugo, let's talk next week.");
        await irisPage.GetByRole(AriaRole.Button, new() { Name = "Send reply" }).ClickAsync();
        await Expect(irisPage.GetByTestId("message").Last).ToContainTextAsync("let's talk next week");

        await page.ReloadAsync();
        await Expect(page.GetByTestId("balance")).ToHaveTextAsync("50");
        await Expect(page.Locator("tr[data-kind='refund']")).ToHaveCountAsync(1);
        await page.ShotAsync("plan");
    }
}
