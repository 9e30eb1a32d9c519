using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Reach.Web.Tests;

/// <summary>The operator replays a month of sends under a smaller cap before changing it, and sees what would change.</summary>
public sealed class WhatIfJourneyTests(Browser browser, WebHost host) : BrowserTest, IClassFixture<WebHost>
{
    [Fact]
    public async Task ASmallerCapShowsTheSendsItWouldLockWithAChart()
    {
        await host.SetClockAsync(new DateTimeOffset(2032, 1, 10, 12, 0, 0, TimeSpan.Zero));
        var lena = await host.SignUpAsync("Lena Park");
        for (var i = 0; i < 6; i++)
        {
            var sender = await host.SignUpAsync($"Sender{i} Test");
            await sender.SendAsync(lena.Handle, $"Hello Lena, message {i}.");
        }

        var admin = await (await browser.Chromium.NewContextAsync(new() { BaseURL = host.BaseUrl.ToString() })).NewPageAsync();
        await admin.GotoAsync("/admin");
        await admin.GetByLabel("Admin key").FillAsync(WebHost.AdminKey);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Sign in as admin" }).ClickAsync();
        await admin.GetByRole(AriaRole.Link, new() { Name = "Policy what-if" }).ClickAsync();

        // The policy in force, with Basic's cap cut from 15 to 3.
        var policy = admin.GetByLabel("Policy file (starts as the one in force; edit it, or upload one below)");
        var inForce = await policy.InputValueAsync();
        Assert.Contains("\"receiveCap\": 15", inForce, StringComparison.Ordinal);
        await policy.FillAsync(inForce.Replace("\"receiveCap\": 15", "\"receiveCap\": 3", StringComparison.Ordinal));
        await admin.GetByRole(AriaRole.Button, new() { Name = "Run the replay" }).ClickAsync();

        await Expect(admin.GetByTestId("whatif-summary")).ToContainTextAsync("6 sends replayed: 3 unchanged, 3 now locked, 0 now allowed");
        await Expect(admin.GetByTestId("chart-reasons")).ToContainTextAsync("monthly limit reached");
        await Expect(admin.GetByTestId("chart-tiers")).ToBeVisibleAsync();
        await Expect(admin.GetByTestId("whatif-result")).ToContainTextAsync(lena.Handle + " (3)");
        await admin.ShotAsync("admin-whatif");
        await admin.AssertAccessibleAsync("admin what-if result");

        // A candidate that is not a policy is refused, naming the setting.
        await policy.FillAsync("""{ "tiers": 5 }""");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Run the replay" }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Alert)).ToContainTextAsync("policy.tiers");
    }
}
