namespace Reach.Policy.Tests;

/// <summary>reach.policy.json: defaults equal the spec's tables, and each kind of bad file names its field.</summary>
public sealed class PolicyFileTests
{
    [Theory]
    [InlineData("basic", "Basic (free)", 15, 0, 0, false, false, false)]
    [InlineData("premium_business", "Premium Business", 25, 15, 45, true, true, true)]
    [InlineData("sales_navigator", "Sales Navigator Pro", 50, 50, 150, true, true, true)]
    [InlineData("recruiter_lite", "Recruiter Lite", 150, 30, 120, true, false, false)]
    [InlineData("recruiter", "Recruiter", 300, 150, 600, true, false, false)]
    public void TheDefaultTiersAreTheSpecsTable(
        string id, string name, int cap, int credits, int rollover, bool badge, bool premiumSender, bool premiumOnly)
    {
        var tier = ReachPolicy.Default.Tier(id);

        Assert.Equal(
            (name, cap, credits, rollover, badge, premiumSender, premiumOnly),
            (tier.DisplayName, tier.ReceiveCap, tier.InMailCredits, tier.CreditRolloverCap, tier.PremiumBadge, tier.PremiumSender, tier.PremiumOnlyRecipient));
    }

    [Fact]
    public void TheDefaultSettingsAreTheSpecs()
    {
        var policy = ReachPolicy.Default;

        Assert.Equal(["basic", "premium_business", "sales_navigator", "recruiter_lite", "recruiter"], policy.Tiers.Select(tier => tier.Id));
        Assert.Equal("basic", policy.DefaultTier.Id);
        Assert.Equal(1, policy.InMailCost);
        Assert.Equal(2, policy.MaxUnansweredColdMessages);
        Assert.Equal(1, policy.MaxUnansweredInMails);
        Assert.Equal(90, policy.CreditExpiryDays);
        Assert.Equal(90, policy.CreditBackDays);
        Assert.Equal(100, policy.InvitationWeeklyLimit);
        Assert.Equal(7, policy.InvitationWindowDays);
        Assert.Equal(21, policy.ReinviteBlockDays);
        Assert.Equal(300, policy.InvitationNoteMaxLength);
        Assert.Equal(8000, policy.MessageBodyMaxLength);
        Assert.Equal(200, policy.InMailSubjectMaxLength);
        Assert.Equal(3, policy.RestrictAfterReports);
        Assert.Equal(30, policy.ReportWindowDays);
        Assert.Equal(7, policy.RestrictionDays);
        Assert.Equal(5, policy.WrongEmailAttemptsPerDay);
        Assert.Equal(20, policy.SignInPerMinute);
        Assert.Equal(10, policy.SignInAttemptsPerAccount);
        Assert.Equal(60, policy.SendsPerMinute);
        Assert.Equal(600, policy.PreflightsPerMinute);
        Assert.Equal("UTC", policy.Periods.TimeZoneId);
        Assert.Equal(ExplainMode.Detailed, policy.Explain);
    }

    [Fact]
    public void AnEmptyFileIsTheDefaultPolicy()
    {
        Assert.Equal(PolicyFile.Write(ReachPolicy.Default), PolicyFile.Write(PolicyFile.Parse("{}")));
    }

    [Fact]
    public void TheDocumentedExampleIsTheDefaultPolicy()
    {
        var example = PolicyFile.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "reach.policy.json")));

        Assert.Equal(PolicyFile.Write(ReachPolicy.Default), PolicyFile.Write(example));
    }

    [Fact]
    public void AWrittenPolicyReadsBackTheSame()
    {
        var policy = PolicyFile.Parse("""{ "inMailCost": 2, "period": { "timeZone": "Europe/Paris" }, "explain": "minimal" }""");

        var again = PolicyFile.Parse(PolicyFile.Write(policy));

        Assert.Equal(PolicyFile.Write(policy), PolicyFile.Write(again));
        Assert.Equal(2, again.InMailCost);
        Assert.Equal("Europe/Paris", again.Periods.TimeZoneId);
        Assert.Equal(ExplainMode.Minimal, again.Explain);
    }

    [Fact]
    public void ACustomTierSetReplacesTheDefaults()
    {
        var policy = PolicyFile.Parse("""
            {
              // comments are allowed
              "tiers": {
                "free": { "receiveCap": 5, "inMailCredits": 0, "creditRolloverCap": 0, "premiumBadge": false, "premiumSender": false },
                "gold": { "displayName": "Gold", "receiveCap": 40, "inMailCredits": 10, "creditRolloverCap": 30, "premiumBadge": true, "premiumSender": true },
              },
              "defaultTier": "free",
              "premiumOnlyRecipients": ["gold"],
            }
            """);

        Assert.Equal(["free", "gold"], policy.Tiers.Select(tier => tier.Id));
        Assert.Equal("free", policy.Tiers[0].DisplayName);
        Assert.True(policy.Tier("gold").PremiumOnlyRecipient);
        Assert.Equal(1, policy.Tier("gold").Index);
    }

    [Theory]
    [InlineData("""{ "tiers": { "basic": { "receiveCap": -1, "inMailCredits": 0, "creditRolloverCap": 0, "premiumBadge": false, "premiumSender": false } } }""", "tiers.basic.receiveCap must be >= 0")]
    [InlineData("""{ "tiers": { "basic": { "receiveCap": "15", "inMailCredits": 0, "creditRolloverCap": 0, "premiumBadge": false, "premiumSender": false } } }""", "tiers.basic.receiveCap must be a whole number")]
    [InlineData("""{ "tiers": { "basic": { "receiveCap": 1.5, "inMailCredits": 0, "creditRolloverCap": 0, "premiumBadge": false, "premiumSender": false } } }""", "tiers.basic.receiveCap must be a whole number")]
    [InlineData("""{ "tiers": { "basic": { "inMailCredits": 0, "creditRolloverCap": 0, "premiumBadge": false, "premiumSender": false } } }""", "tiers.basic.receiveCap is required")]
    [InlineData("""{ "tiers": { "basic": { "receiveCap": 1, "inMailCredits": 0, "creditRolloverCap": 0, "premiumBadge": "no", "premiumSender": false } } }""", "tiers.basic.premiumBadge must be true or false")]
    [InlineData("""{ "tiers": { "basic": { "receiveCap": 1, "inMailCredits": 10, "creditRolloverCap": 5, "premiumBadge": false, "premiumSender": false } } }""", "tiers.basic.creditRolloverCap must be >= inMailCredits (10)")]
    [InlineData("""{ "tiers": { "basic": { "receiveCap": 1, "inMailCredits": 0, "creditRolloverCap": 0, "premiumBadge": false, "premiumSender": false, "colour": "red" } } }""", "tiers.basic.colour is not a known setting")]
    [InlineData("""{ "tiers": { "Basic Tier": { } } }""", "tiers.Basic Tier: a tier id must be 1–40 characters of a-z, 0-9 and _")]
    [InlineData("""{ "tiers": { } }""", "tiers must define at least one tier")]
    [InlineData("""{ "tiers": [] }""", "tiers must be an object of tiers keyed by id")]
    [InlineData("""{ "maxColdMessages": 3 }""", "maxColdMessages is not a known setting")]
    [InlineData("""{ "inMailCost": 0 }""", "inMailCost must be >= 1")]
    [InlineData("""{ "inMailCost": 1, "inMailCost": 2 }""", "inMailCost is given twice")]
    [InlineData("""{ "credits": { "expiryDays": 0 } }""", "credits.expiryDays must be >= 1")]
    [InlineData("""{ "credits": { "expiry": 90 } }""", "credits.expiry is not a known setting")]
    [InlineData("""{ "limits": { "signInPerMinute": -1 } }""", "limits.signInPerMinute must be >= 0")]
    [InlineData("""{ "limits": { "signInAttemptsPerAccount": 0 } }""", "limits.signInAttemptsPerAccount must be >= 1")]
    [InlineData("""{ "limits": { "sendsPerMinute": "many" } }""", "limits.sendsPerMinute must be a whole number")]
    [InlineData("""{ "limits": { "perHour": 5 } }""", "limits.perHour is not a known setting")]
    [InlineData("""{ "credits": 90 }""", "credits must be an object")]
    [InlineData("""{ "invitations": { "weeklyLimit": -5 } }""", "invitations.weeklyLimit must be >= 0")]
    [InlineData("""{ "invitations": { "noteMaxLength": 99999999 } }""", "invitations.noteMaxLength must be <= 10000")]
    [InlineData("""{ "messages": { "bodyMaxLength": 0 } }""", "messages.bodyMaxLength must be >= 1")]
    [InlineData("""{ "safety": { "restrictAfterReports": 0 } }""", "safety.restrictAfterReports must be >= 1")]
    [InlineData("""{ "period": { "timeZone": "Mars/Olympus_Mons" } }""", "period.timeZone 'Mars/Olympus_Mons' is not a known IANA time zone")]
    [InlineData("""{ "period": { "timeZone": 5 } }""", "period.timeZone must be a non-empty string")]
    [InlineData("""{ "explain": "verbose" }""", "explain must be 'detailed' or 'minimal'")]
    [InlineData("""{ "defaultTier": "gold" }""", "defaultTier 'gold' is not one of the tiers")]
    [InlineData("""{ "premiumOnlyRecipients": ["gold"] }""", "premiumOnlyRecipients[0] 'gold' is not one of the tiers")]
    [InlineData("""{ "premiumOnlyRecipients": "basic" }""", "premiumOnlyRecipients must be a list of tier ids")]
    [InlineData("""[1, 2]""", "the policy file must be an object")]
    public void EachKindOfBadFileGivesItsNamedError(string json, string message)
    {
        var error = Assert.Throws<PolicyException>(() => PolicyFile.Parse(json));

        Assert.Contains(message, error.Errors.Select(e => e.Message));
    }

    [Fact]
    public void MalformedJsonNamesWhereItBreaks()
    {
        var error = Assert.Throws<PolicyException>(() => PolicyFile.Parse("{\n  \"inMailCost\": 1,\n  \"explain\" \"minimal\"\n}"));

        Assert.Equal("the policy file is not valid JSON (line 3, position 13)", Assert.Single(error.Errors).Message);
    }

    [Fact]
    public void EveryErrorInAFileIsReportedAtOnce()
    {
        var error = Assert.Throws<PolicyException>(() => PolicyFile.Parse("""{ "inMailCost": 0, "explain": "loud", "nope": 1 }"""));

        Assert.Equal(["nope", "inMailCost", "explain"], error.Errors.Select(e => e.Path));
        Assert.Contains("inMailCost must be >= 1", error.Message, StringComparison.Ordinal);
    }
}
