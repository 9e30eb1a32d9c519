using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Reach.Web.Tests;

/// <summary>A basic recipient at the monthly cap: locked with the reset date, open once the clock reaches the next month.</summary>
public sealed class MonthlyCapJourneyTests(Browser browser, WebHost host) : BrowserTest, IClassFixture<WebHost>
{
    [Fact]
    public async Task ABasicRecipientAtTheCapIsLockedUntilTheNextMonth()
    {
        await host.SetClockAsync(new DateTimeOffset(2026, 11, 10, 12, 0, 0, TimeSpan.Zero));
        var lena = await host.SignUpAsync("Lena Park");
        for (var i = 0; i < 15; i++)
        {
            var sender = await host.SignUpAsync($"Sender{i} Test");
            await sender.SendAsync(lena.Handle, $"Hello Lena, message {i}.");
        }

        var max = await host.SignUpAsync("Max Weber");
        var page = await host.SignInAsync(browser.Chromium, max.Email);
        await page.GotoAsync($"/m/{lena.Handle}");
        Assert.Equal(["monthly_limit_reached"], await page.ReasonsAsync());
        Assert.Contains("wait_until", await page.RemediesAsync());
        await Expect(page.Remedy("wait_until")).ToContainTextAsync("It opens again on 1 December 2026.");
        await Expect(page.Remedy("wait_until").Locator("time")).ToHaveAttributeAsync("datetime", "2026-12-01T00:00:00Z");
        await page.ShotAsync("profile-monthly-limit");

        await host.SetClockAsync(new DateTimeOffset(2026, 12, 1, 0, 0, 1, TimeSpan.Zero));
        await page.ReloadAsync();
        await Expect(page.GetByTestId("open")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Message", Exact = true }).ClickAsync();
        await page.GetByLabel("Message", new() { Exact = true }).FillAsync("Hello Lena, a new month!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("message")).ToContainTextAsync("a new month");
    }
}
