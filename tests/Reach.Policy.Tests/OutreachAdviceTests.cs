namespace Reach.Policy.Tests;

/// <summary>Outreach advice (SPEC §6): each tip appears when it should and not otherwise.</summary>
public sealed class OutreachAdviceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static AdviceFacts Draft(string? body) => new(
        body, "Ada Lovelace", "Analytical Society", "Analyst of engines", Connected: false, OpenConversation: false,
        LastUnansweredAt: null, Now, InvitationPossible: false);

    [Theory]
    [InlineData("Hello Ada, I'm writing because your notes on engines changed how I teach.", new string[0])]
    [InlineData("Hello, I'm writing because your notes changed how I teach.", new[] { "not_personal" })]
    [InlineData("Hi there. I'm writing about the Analytical Society's next meeting.", new[] { "no_reason_first" })]
    [InlineData("Hi there!\nI'm writing about the Analytical Society's next meeting.", new string[0])]
    [InlineData("Hello! I saw your work on engines.", new[] { "no_reason_first" })]
    [InlineData("I read your piece on engines: could we talk?", new string[0])]
    [InlineData("Adalbert, I have a question.", new[] { "not_personal" })]
    public void ADraftIsPersonalAndSaysWhyFirst(string body, string[] tips) =>
        Assert.Equal(tips, OutreachAdvice.For(Draft(body)).Select(t => t.Code()));

    [Fact]
    public void ALongFirstMessageIsLong()
    {
        var body = "Ada, I'm writing because " + new string('x', OutreachAdvice.LongFirstMessage);
        Assert.Equal(["too_long"], OutreachAdvice.For(Draft(body)).Select(t => t.Code()));
        Assert.Empty(OutreachAdvice.For(Draft(body[..OutreachAdvice.LongFirstMessage])));
    }

    [Fact]
    public void AFollowUpWithinThreeDaysIsTooSoon()
    {
        var body = "Ada, a question about the engines.";
        Assert.Equal(["follow_up_too_soon"], OutreachAdvice.For(Draft(body) with { LastUnansweredAt = Now.AddDays(-2) }).Select(t => t.Code()));
        Assert.Empty(OutreachAdvice.For(Draft(body) with { LastUnansweredAt = Now.AddDays(-3) }));
    }

    [Fact]
    public void AnInvitationFirstIsSuggestedWhenOneIsPossible()
    {
        Assert.Equal(["connect_first"], OutreachAdvice.For(Draft(null) with { InvitationPossible = true }).Select(t => t.Code()));
        Assert.Empty(OutreachAdvice.For(Draft(null) with { InvitationPossible = true, Connected = true }));
    }

    [Fact]
    public void ConnectionsAndConversationsGetNoFirstContactTips()
    {
        var careless = "hey. " + new string('x', 2000);
        Assert.Empty(OutreachAdvice.For(Draft(careless) with { Connected = true }));
        Assert.Empty(OutreachAdvice.For(Draft(careless) with { OpenConversation = true, LastUnansweredAt = Now.AddHours(-1) }));
        Assert.Equal(["not_personal", "no_reason_first", "too_long"], OutreachAdvice.For(Draft(careless)).Select(t => t.Code()));
    }

    [Fact]
    public void TheCompanyOrAHeadlineWordIsPersonalToo()
    {
        Assert.DoesNotContain(Tip.NotPersonal, OutreachAdvice.For(Draft("I'm writing about the analytical society.")));
        Assert.DoesNotContain(Tip.NotPersonal, OutreachAdvice.For(Draft("I'm writing about your engines.")));
        Assert.Contains(Tip.NotPersonal, OutreachAdvice.For(Draft("I'm writing about of the.")));
    }
}
