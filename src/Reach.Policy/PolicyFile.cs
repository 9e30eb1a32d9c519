using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Reach.Policy;

/// <summary>One problem in a policy file, naming the setting: <c>tiers.basic.receiveCap must be &gt;= 0</c>.</summary>
/// <param name="Path">The setting, e.g. <c>tiers.basic.receiveCap</c>; empty for the file as a whole.</param>
/// <param name="Message">What is wrong, as a sentence that starts with the path.</param>
public sealed record PolicyError(string Path, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => Message;
}

/// <summary>A policy file that cannot be used, with every problem found in it.</summary>
public sealed class PolicyException : Exception
{
    /// <summary>Creates the exception for <paramref name="errors"/>.</summary>
    public PolicyException(IReadOnlyList<PolicyError> errors)
        : base("The policy file is not valid: " + string.Join("; ", errors.Select(error => error.Message))) => Errors = errors;

    /// <summary>Every problem found, in file order.</summary>
    public IReadOnlyList<PolicyError> Errors { get; }
}

/// <summary>
/// Reads and writes <c>reach.policy.json</c> (SPEC §10). Every setting is optional and defaults to the spec's tables;
/// unknown settings, wrong types and values out of range are errors that name the setting.
/// </summary>
public static class PolicyFile
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Reads a policy from JSON text; throws <see cref="PolicyException"/> naming every bad setting.</summary>
    public static ReachPolicy Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line
                ? string.Create(CultureInfo.InvariantCulture, $" (line {line + 1}, position {e.BytePositionInLine + 1})")
                : string.Empty;
            throw new PolicyException([new PolicyError(string.Empty, "the policy file is not valid JSON" + where)]);
        }

        using (document)
        {
            var reader = new Reader();
            var policy = reader.Read(document.RootElement);
            return reader.Errors.Count == 0 && policy is not null ? policy : throw new PolicyException(reader.Errors);
        }
    }

    /// <summary>Writes <paramref name="policy"/> as a complete policy file, every setting spelled out.</summary>
    public static string Write(ReachPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("tiers");
            foreach (var tier in policy.Tiers)
            {
                json.WriteStartObject(tier.Id);
                json.WriteString("displayName", tier.DisplayName);
                json.WriteNumber("receiveCap", tier.ReceiveCap);
                json.WriteNumber("inMailCredits", tier.InMailCredits);
                json.WriteNumber("creditRolloverCap", tier.CreditRolloverCap);
                json.WriteBoolean("premiumBadge", tier.PremiumBadge);
                json.WriteBoolean("premiumSender", tier.PremiumSender);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteString("defaultTier", policy.DefaultTierId);
            json.WriteStartArray("premiumOnlyRecipients");
            foreach (var tier in policy.Tiers.Where(tier => tier.PremiumOnlyRecipient))
            {
                json.WriteStringValue(tier.Id);
            }

            json.WriteEndArray();
            json.WriteNumber("inMailCost", policy.InMailCost);
            json.WriteNumber("maxUnansweredColdMessages", policy.MaxUnansweredColdMessages);
            json.WriteNumber("maxUnansweredInMails", policy.MaxUnansweredInMails);
            json.WriteStartObject("credits");
            json.WriteNumber("expiryDays", policy.CreditExpiryDays);
            json.WriteNumber("creditBackDays", policy.CreditBackDays);
            json.WriteEndObject();
            json.WriteStartObject("invitations");
            json.WriteNumber("weeklyLimit", policy.InvitationWeeklyLimit);
            json.WriteNumber("windowDays", policy.InvitationWindowDays);
            json.WriteNumber("reinviteBlockDays", policy.ReinviteBlockDays);
            json.WriteNumber("noteMaxLength", policy.InvitationNoteMaxLength);
            json.WriteEndObject();
            json.WriteStartObject("messages");
            json.WriteNumber("bodyMaxLength", policy.MessageBodyMaxLength);
            json.WriteNumber("subjectMaxLength", policy.InMailSubjectMaxLength);
            json.WriteEndObject();
            json.WriteStartObject("safety");
            json.WriteNumber("restrictAfterReports", policy.RestrictAfterReports);
            json.WriteNumber("reportWindowDays", policy.ReportWindowDays);
            json.WriteNumber("restrictionDays", policy.RestrictionDays);
            json.WriteNumber("wrongEmailAttemptsPerDay", policy.WrongEmailAttemptsPerDay);
            json.WriteEndObject();
            json.WriteStartObject("limits");
            json.WriteNumber("signInPerMinute", policy.SignInPerMinute);
            json.WriteNumber("signInAttemptsPerAccount", policy.SignInAttemptsPerAccount);
            json.WriteNumber("sendsPerMinute", policy.SendsPerMinute);
            json.WriteNumber("preflightsPerMinute", policy.PreflightsPerMinute);
            json.WriteEndObject();
            json.WriteStartObject("hints");
            json.WriteNumber("base", policy.Hints.Base);
            json.WriteNumber("premiumBadge", policy.Hints.PremiumBadge);
            json.WriteNumber("anonymousProfile", policy.Hints.AnonymousProfile);
            json.WriteNumber("engagement", policy.Hints.Engagement);
            json.WriteNumber("manyConnections", policy.Hints.ManyConnections);
            json.WriteNumber("manyConnectionsAt", policy.Hints.ManyConnectionsAt);
            json.WriteNumber("openToWork", policy.Hints.OpenToWork);
            json.WriteEndObject();
            json.WriteStartObject("period");
            json.WriteString("timeZone", policy.Periods.TimeZoneId);
            json.WriteEndObject();
            json.WriteString("explain", policy.Explain == ExplainMode.Minimal ? "minimal" : "detailed");
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    // Walks the document once, collecting every error rather than stopping at the first.
    private sealed class Reader
    {
        private const int MaxDays = 3650;
        private const int MaxCount = 1_000_000;

        public List<PolicyError> Errors { get; } = [];

        public ReachPolicy? Read(JsonElement root)
        {
            var defaults = ReachPolicy.Default;
            var settings = Object(root, string.Empty,
                "tiers", "defaultTier", "premiumOnlyRecipients", "inMailCost", "maxUnansweredColdMessages",
                "maxUnansweredInMails", "credits", "invitations", "messages", "safety", "limits", "hints", "period", "explain");
            if (settings is null)
            {
                return null;
            }

            var tiers = settings.TryGetValue("tiers", out var tiersElement) ? Tiers(tiersElement) : defaults.Tiers;
            var tierIds = tiers.Select(tier => tier.Id).ToHashSet(StringComparer.Ordinal);

            var defaultTier = settings.TryGetValue("defaultTier", out var defaultTierElement)
                ? String(defaultTierElement, "defaultTier") ?? defaults.DefaultTierId
                : defaults.DefaultTierId;
            if (tiers.Count > 0 && !tierIds.Contains(defaultTier))
            {
                Error("defaultTier", $"defaultTier '{defaultTier}' is not one of the tiers");
            }

            IReadOnlyList<string> premiumOnly = settings.TryGetValue("premiumOnlyRecipients", out var premiumElement)
                ? TierIds(premiumElement, "premiumOnlyRecipients", tierIds)
                : [.. defaults.Tiers.Where(tier => tier.PremiumOnlyRecipient && tierIds.Contains(tier.Id)).Select(tier => tier.Id)];

            var policy = defaults with
            {
                Tiers = [.. tiers.Select(tier => tier with { PremiumOnlyRecipient = premiumOnly.Contains(tier.Id) })],
                DefaultTierId = defaultTier,
                InMailCost = Int(settings, "inMailCost", string.Empty, 1, MaxCount, defaults.InMailCost),
                MaxUnansweredColdMessages = Int(settings, "maxUnansweredColdMessages", string.Empty, 1, MaxCount, defaults.MaxUnansweredColdMessages),
                MaxUnansweredInMails = Int(settings, "maxUnansweredInMails", string.Empty, 1, MaxCount, defaults.MaxUnansweredInMails),
            };

            if (Section(settings, "credits", "expiryDays", "creditBackDays") is { } credits)
            {
                policy = policy with
                {
                    CreditExpiryDays = Int(credits, "expiryDays", "credits.", 1, MaxDays, defaults.CreditExpiryDays),
                    CreditBackDays = Int(credits, "creditBackDays", "credits.", 0, MaxDays, defaults.CreditBackDays),
                };
            }

            if (Section(settings, "invitations", "weeklyLimit", "windowDays", "reinviteBlockDays", "noteMaxLength") is { } invitations)
            {
                policy = policy with
                {
                    InvitationWeeklyLimit = Int(invitations, "weeklyLimit", "invitations.", 0, MaxCount, defaults.InvitationWeeklyLimit),
                    InvitationWindowDays = Int(invitations, "windowDays", "invitations.", 1, MaxDays, defaults.InvitationWindowDays),
                    ReinviteBlockDays = Int(invitations, "reinviteBlockDays", "invitations.", 0, MaxDays, defaults.ReinviteBlockDays),
                    InvitationNoteMaxLength = Int(invitations, "noteMaxLength", "invitations.", 0, 10_000, defaults.InvitationNoteMaxLength),
                };
            }

            if (Section(settings, "messages", "bodyMaxLength", "subjectMaxLength") is { } messages)
            {
                policy = policy with
                {
                    MessageBodyMaxLength = Int(messages, "bodyMaxLength", "messages.", 1, 100_000, defaults.MessageBodyMaxLength),
                    InMailSubjectMaxLength = Int(messages, "subjectMaxLength", "messages.", 1, 10_000, defaults.InMailSubjectMaxLength),
                };
            }

            if (Section(settings, "safety", "restrictAfterReports", "reportWindowDays", "restrictionDays", "wrongEmailAttemptsPerDay") is { } safety)
            {
                policy = policy with
                {
                    RestrictAfterReports = Int(safety, "restrictAfterReports", "safety.", 1, MaxCount, defaults.RestrictAfterReports),
                    ReportWindowDays = Int(safety, "reportWindowDays", "safety.", 1, MaxDays, defaults.ReportWindowDays),
                    RestrictionDays = Int(safety, "restrictionDays", "safety.", 1, MaxDays, defaults.RestrictionDays),
                    WrongEmailAttemptsPerDay = Int(safety, "wrongEmailAttemptsPerDay", "safety.", 0, MaxCount, defaults.WrongEmailAttemptsPerDay),
                };
            }

            if (Section(settings, "limits", "signInPerMinute", "signInAttemptsPerAccount", "sendsPerMinute", "preflightsPerMinute") is { } limits)
            {
                policy = policy with
                {
                    SignInPerMinute = Int(limits, "signInPerMinute", "limits.", 0, MaxCount, defaults.SignInPerMinute),
                    SignInAttemptsPerAccount = Int(limits, "signInAttemptsPerAccount", "limits.", 1, MaxCount, defaults.SignInAttemptsPerAccount),
                    SendsPerMinute = Int(limits, "sendsPerMinute", "limits.", 0, MaxCount, defaults.SendsPerMinute),
                    PreflightsPerMinute = Int(limits, "preflightsPerMinute", "limits.", 0, MaxCount, defaults.PreflightsPerMinute),
                };
            }

            if (Section(settings, "hints", "base", "premiumBadge", "anonymousProfile", "engagement", "manyConnections", "manyConnectionsAt", "openToWork") is { } hints)
            {
                var d = defaults.Hints;
                policy = policy with
                {
                    Hints = new HintWeights
                    {
                        Base = Int(hints, "base", "hints.", 0, 100, d.Base),
                        PremiumBadge = Int(hints, "premiumBadge", "hints.", -100, 100, d.PremiumBadge),
                        AnonymousProfile = Int(hints, "anonymousProfile", "hints.", -100, 100, d.AnonymousProfile),
                        Engagement = Int(hints, "engagement", "hints.", -100, 100, d.Engagement),
                        ManyConnections = Int(hints, "manyConnections", "hints.", -100, 100, d.ManyConnections),
                        ManyConnectionsAt = Int(hints, "manyConnectionsAt", "hints.", 1, MaxCount, d.ManyConnectionsAt),
                        OpenToWork = Int(hints, "openToWork", "hints.", -100, 100, d.OpenToWork),
                    },
                };
            }

            if (Section(settings, "period", "timeZone") is { } period
                && period.TryGetValue("timeZone", out var zoneElement)
                && String(zoneElement, "period.timeZone") is { } zoneId)
            {
                var calendar = PeriodCalendar.Find(zoneId);
                if (calendar is null)
                {
                    Error("period.timeZone", $"period.timeZone '{zoneId}' is not a known IANA time zone");
                }
                else
                {
                    policy = policy with { Periods = calendar };
                }
            }

            if (settings.TryGetValue("explain", out var explainElement) && String(explainElement, "explain") is { } explain)
            {
                switch (explain)
                {
                    case "detailed":
                        policy = policy with { Explain = ExplainMode.Detailed };
                        break;
                    case "minimal":
                        policy = policy with { Explain = ExplainMode.Minimal };
                        break;
                    default:
                        Error("explain", "explain must be 'detailed' or 'minimal'");
                        break;
                }
            }

            return policy;
        }

        private List<Tier> Tiers(JsonElement element)
        {
            var tiers = new List<Tier>();
            if (element.ValueKind != JsonValueKind.Object)
            {
                Error("tiers", "tiers must be an object of tiers keyed by id");
                return tiers;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                var id = property.Name;
                var path = "tiers." + id;
                if (!seen.Add(id))
                {
                    Error(path, $"{path} is given twice");
                    continue;
                }

                if (id.Length is 0 or > 40 || !id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
                {
                    Error(path, $"{path}: a tier id must be 1–40 characters of a-z, 0-9 and _");
                    continue;
                }

                var fields = Object(property.Value, path,
                    "displayName", "receiveCap", "inMailCredits", "creditRolloverCap", "premiumBadge", "premiumSender");
                if (fields is null)
                {
                    continue;
                }

                var prefix = path + ".";
                var displayName = fields.TryGetValue("displayName", out var nameElement)
                    ? String(nameElement, prefix + "displayName") ?? id
                    : id;
                var receiveCap = RequiredInt(fields, "receiveCap", prefix, 0, MaxCount);
                var credits = RequiredInt(fields, "inMailCredits", prefix, 0, MaxCount);
                var rollover = RequiredInt(fields, "creditRolloverCap", prefix, 0, MaxCount);
                var badge = RequiredBool(fields, "premiumBadge", prefix);
                var sender = RequiredBool(fields, "premiumSender", prefix);
                if (credits is { } c && rollover is { } r && r < c)
                {
                    Error(prefix + "creditRolloverCap", $"{prefix}creditRolloverCap must be >= inMailCredits ({c})");
                }

                if (receiveCap is null || credits is null || rollover is null || badge is null || sender is null)
                {
                    continue;
                }

                tiers.Add(new Tier
                {
                    Id = id,
                    DisplayName = displayName,
                    ReceiveCap = receiveCap.Value,
                    InMailCredits = credits.Value,
                    CreditRolloverCap = rollover.Value,
                    PremiumBadge = badge.Value,
                    PremiumSender = sender.Value,
                    PremiumOnlyRecipient = false,
                });
            }

            if (seen.Count == 0)
            {
                Error("tiers", "tiers must define at least one tier");
            }
            else if (seen.Count > TierSet.Capacity)
            {
                Error("tiers", $"tiers may define at most {TierSet.Capacity} tiers");
            }

            return tiers;
        }

        private List<string> TierIds(JsonElement element, string path, HashSet<string> tierIds)
        {
            var ids = new List<string>();
            if (element.ValueKind != JsonValueKind.Array)
            {
                Error(path, $"{path} must be a list of tier ids");
                return ids;
            }

            var index = 0;
            foreach (var item in element.EnumerateArray())
            {
                var itemPath = string.Create(CultureInfo.InvariantCulture, $"{path}[{index++}]");
                if (String(item, itemPath) is not { } id)
                {
                    continue;
                }

                if (!tierIds.Contains(id))
                {
                    Error(itemPath, $"{itemPath} '{id}' is not one of the tiers");
                }
                else
                {
                    ids.Add(id);
                }
            }

            return ids;
        }

        private Dictionary<string, JsonElement>? Section(Dictionary<string, JsonElement> settings, string name, params string[] known) =>
            settings.TryGetValue(name, out var element) ? Object(element, name, known) : null;

        private Dictionary<string, JsonElement>? Object(JsonElement element, string path, params string[] known)
        {
            var name = path.Length == 0 ? "the policy file" : path;
            if (element.ValueKind != JsonValueKind.Object)
            {
                Error(path, $"{name} must be an object");
                return null;
            }

            var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                var fieldPath = path.Length == 0 ? property.Name : path + "." + property.Name;
                if (!known.Contains(property.Name, StringComparer.Ordinal))
                {
                    Error(fieldPath, $"{fieldPath} is not a known setting");
                }
                else if (!fields.TryAdd(property.Name, property.Value))
                {
                    Error(fieldPath, $"{fieldPath} is given twice");
                }
            }

            return fields;
        }

        private int Int(Dictionary<string, JsonElement> fields, string name, string prefix, int min, int max, int fallback) =>
            fields.ContainsKey(name) ? RequiredInt(fields, name, prefix, min, max) ?? fallback : fallback;

        private int? RequiredInt(Dictionary<string, JsonElement> fields, string name, string prefix, int min, int max)
        {
            var path = prefix + name;
            if (!fields.TryGetValue(name, out var element))
            {
                Error(path, $"{path} is required");
                return null;
            }

            if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var value))
            {
                Error(path, $"{path} must be a whole number");
                return null;
            }

            if (value < min)
            {
                Error(path, string.Create(CultureInfo.InvariantCulture, $"{path} must be >= {min}"));
                return null;
            }

            if (value > max)
            {
                Error(path, string.Create(CultureInfo.InvariantCulture, $"{path} must be <= {max}"));
                return null;
            }

            return (int)value;
        }

        private bool? RequiredBool(Dictionary<string, JsonElement> fields, string name, string prefix)
        {
            var path = prefix + name;
            if (!fields.TryGetValue(name, out var element))
            {
                Error(path, $"{path} is required");
                return null;
            }

            if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                Error(path, $"{path} must be true or false");
                return null;
            }

            return element.GetBoolean();
        }

        private string? String(JsonElement element, string path)
        {
            if (element.ValueKind != JsonValueKind.String || element.GetString() is not { Length: > 0 } value)
            {
                Error(path, $"{path} must be a non-empty string");
                return null;
            }

            return value;
        }

        private void Error(string path, string message) => Errors.Add(new PolicyError(path, message));
    }
}
