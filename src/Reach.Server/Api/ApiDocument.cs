using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace Reach.Server.Api;

/// <summary>The problems an operation can answer besides those its shape implies (<see cref="ApiDocument"/>).</summary>
public sealed record ProblemStatuses(IReadOnlyList<int> Statuses);

/// <summary>The operation can answer 403 <c>message_locked</c>, with the decision's reasons and remedies.</summary>
public sealed record CanBeLocked;

/// <summary>The operation takes the admin key, not a member's token.</summary>
public sealed record AdminKeyRequired;

/// <summary>
/// The API document at <c>/openapi/v1.json</c>: the contract a client is generated from (a test generates one with
/// Kiota and walks the README's journey with it). Each operation carries its id, summary and description where it is
/// mapped (<see cref="Describe"/>); what follows from an operation's shape is added here, from its endpoint's metadata,
/// so that it cannot drift from what the endpoint does: the security scheme it takes, and every problem it can answer
/// — 400 for anything it reads, 401 when it needs a sign-in or the admin key, 403 for a suspended member's writes,
/// 404 for anything it finds by path, 413 and 415 for a body, 429 when it is rate limited, 503 when the database does
/// not answer — each as <c>application/problem+json</c> with the problem's schema.
/// </summary>
public static class ApiDocument
{
    public const string BearerScheme = "bearer";
    public const string AdminKeyScheme = "adminKey";
    private const string ProblemSchema = "Problem";
    private const string LockedSchema = "MessageLockedProblem";
    private const string ProblemJson = "application/problem+json";

    private static readonly (string Name, string Description)[] Tags =
    [
        ("Auth", "Registering, signing in for a bearer token pair, refreshing it, signing out."),
        ("Messages", "The pre-flight (may I message this member, and if not, why and how to unlock it) and sending a first message."),
        ("Conversations", "The member's conversations (inbox, requests, sent): reading, replying, accepting or declining a message request."),
        ("Invitations", "Connection invitations: sending, accepting, ignoring, withdrawing, reporting."),
        ("Members", "Other members' public profiles and their receptiveness hints."),
        ("Me", "The signed-in member's profile, messaging settings, password, address book and connections."),
        ("Credits", "InMail credits: the balance, the next grant and the ledger."),
        ("Safety", "Blocks and reports."),
        ("Notifications", "The member's notifications, and their live stream."),
        ("Bookmarks", "Members bookmarked to be told when they become reachable."),
        ("Posts", "Posts, comments and shares; mentioning a member in a post."),
        ("Search", "Members by name, headline or company, with whether each can be messaged."),
        ("Admin", "The operator's API, behind the admin key: tiers, statuses, credits, the trace of a decision, the clock."),
    ];

    /// <summary>Serves the document, described as above.</summary>
    public static IServiceCollection AddReachOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer(DescribeDocumentAsync);
            options.AddOperationTransformer(DescribeOperationAsync);
        });

    /// <summary>The operation's id (what a generated client names it), summary and description.</summary>
    public static RouteHandlerBuilder Describe(this RouteHandlerBuilder builder, string operationId, string summary, string description) =>
        builder.WithName(operationId).WithSummary(summary).WithDescription(description);

    /// <summary>Problems the operation can answer besides those its shape implies: a conflict, a refusal.</summary>
    public static RouteHandlerBuilder CanAnswer(this RouteHandlerBuilder builder, params int[] statuses) =>
        builder.WithMetadata(new ProblemStatuses(statuses));

    /// <summary>The operation can answer 403 <c>message_locked</c>.</summary>
    public static RouteHandlerBuilder CanLock(this RouteHandlerBuilder builder) => builder.WithMetadata(new CanBeLocked());

    private static Task DescribeDocumentAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancel)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Reach API",
            Version = "1",
            Description = """
                Reach decides whether a member of a professional network may message another, and when a message is
                locked says every reason and every way to unlock it. Members authenticate with a bearer token from
                `POST /api/auth/token` (15 minutes; `POST /api/auth/refresh` gets a new pair); the operator's calls take
                the admin key as the bearer token. Every error is an RFC 9457 problem (`application/problem+json`) with a
                stable `code`, and `field` when a field of the request is at fault; a locked message is a 403 with
                `code` `message_locked`, its `reasons`, `remedies` and, for a cap, `resetsAt`.
                """,
            License = new OpenApiLicense { Name = "Reach licence", Url = new Uri("https://reach.example/licence") },
        };

        // The server the document was fetched from, without the trailing slash that would double in every path.
        document.Servers = document.Servers is { Count: > 0 } servers
            ? [.. servers.Select(s => new OpenApiServer { Url = s.Url?.TrimEnd('/'), Description = "This server." })]
            : [new OpenApiServer { Url = "http://127.0.0.1:5080", Description = "Reach started as the README says." }];
        document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A member's access token from `POST /api/auth/token` or `POST /api/auth/refresh`.",
        };
        document.Components.SecuritySchemes[AdminKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The admin key the server was started with (`--admin-key`), as the bearer token.",
        };

        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ProblemSchema] = Problem();
        document.Components.Schemas[LockedSchema] = new OpenApiSchema
        {
            Description = "A message locked: every reason and every way to unlock it (none of the recipient's private facts).",
            AllOf = [new OpenApiSchemaReference(ProblemSchema, document)],
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["reasons"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = Text("A reason code (SPEC §4): `connections_only`, `monthly_limit_reached`, …"), Description = "Every reason the message is locked." },
                ["remedies"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference("RemedyJson", document), Description = "Every way to unlock it." },
                ["resetsAt"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Format = "date-time", Description = "When the recipient's monthly cap starts again, for a cap." },
                ["restrictedUntil"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", Description = "When the sender's restriction ends, for a restricted sender." },
            },
        };
        return Task.CompletedTask;
    }

    private static OpenApiSchema Problem() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "An RFC 9457 problem with Reach's stable `code`.",
        Required = new HashSet<string> { "status", "code" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A URI naming the kind of problem." },
            ["title"] = Text("A short sentence for the kind of problem."),
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "The HTTP status." },
            ["detail"] = Text("What went wrong with this request, in words for the member."),
            ["instance"] = Text("The request that went wrong."),
            ["code"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "The stable code of the problem; clients decide by it.",
                Enum = [.. Problems.Statuses.Keys.Order(StringComparer.Ordinal).Select(code => (JsonNode)JsonValue.Create(code))],
            },
            ["field"] = Text("The field of the request at fault (`validation_failed`, `conflict`, `too_large`)."),
            ["reason"] = Text("Why an invitation cannot be sent (`invitation_refused`)."),
            ["until"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", Description = "Until when the refusal holds, where it ends." },
        },
    };

    private static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };

    private static Task DescribeOperationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancel)
    {
        var document = context.Document;
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var admin = metadata.OfType<AdminKeyRequired>().Any();
        var member = !admin && metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
        operation.Security = admin || member
            ? [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(admin ? AdminKeyScheme : BearerScheme, document)] = [] }]
            : [];

        var parameters = context.Description.ParameterDescriptions;
        var body = operation.RequestBody is not null;
        var write = !HttpMethods.IsGet(context.Description.HttpMethod ?? "GET");
        var statuses = new SortedSet<int> { StatusCodes.Status503ServiceUnavailable };
        if (body || parameters.Count > 0)
        {
            statuses.Add(StatusCodes.Status400BadRequest);
        }

        if (body)
        {
            statuses.UnionWith([StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType]);
        }

        if (admin || member)
        {
            statuses.Add(StatusCodes.Status401Unauthorized);
        }

        var locked = metadata.OfType<CanBeLocked>().Any();
        if ((member && write) || locked)
        {
            statuses.Add(StatusCodes.Status403Forbidden);
        }

        if (parameters.Any(p => p.Source == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Path))
        {
            statuses.Add(StatusCodes.Status404NotFound);
        }

        if (metadata.OfType<EnableRateLimitingAttribute>().Any())
        {
            statuses.Add(StatusCodes.Status429TooManyRequests);
        }

        foreach (var extra in metadata.OfType<ProblemStatuses>())
        {
            statuses.UnionWith(extra.Statuses);
        }

        operation.Responses ??= [];
        foreach (var status in statuses)
        {
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = ProblemResponse(status, locked, document);
        }

        foreach (var header in operation.Parameters?.OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Header) ?? [])
        {
            if (header.Name == "Idempotency-Key")
            {
                header.Description = "Any string up to 200 characters, new for each message: a send repeated with the same key (a retry after a lost answer) is stored once and answers what the first answered.";
            }
        }

        return Task.CompletedTask;
    }

    private static OpenApiResponse ProblemResponse(int status, bool locked, OpenApiDocument? document)
    {
        var codes = string.Join(", ", Problems.Statuses
            .Where(s => s.Value == status && s.Value != StatusCodes.Status403Forbidden)
            .Select(s => $"`{s.Key}`"));
        var response = new OpenApiResponse
        {
            Description = status switch
            {
                StatusCodes.Status400BadRequest => "The request is not valid; `field` names the field at fault.",
                StatusCodes.Status401Unauthorized => "No valid sign-in (or admin key) came with the request.",
                StatusCodes.Status403Forbidden when locked => "`message_locked`: the message is locked, with every reason and remedy; or `not_allowed`: the member may not do this (a suspended account can read but not write).",
                StatusCodes.Status403Forbidden => "`not_allowed`: the member may not do this (a suspended account can read but not write); `invitation_refused` for an invitation, with its `reason`.",
                StatusCodes.Status404NotFound => "What the path names does not exist, or is not the member's to see.",
                StatusCodes.Status409Conflict => "The request conflicts with the state it meets.",
                StatusCodes.Status413PayloadTooLarge => "The body is larger than this operation takes.",
                StatusCodes.Status415UnsupportedMediaType => "The body's media type or character set is not one this operation takes.",
                StatusCodes.Status422UnprocessableEntity => "The Idempotency-Key was used for a different request.",
                StatusCodes.Status429TooManyRequests => "Too many requests of this kind; `Retry-After` says when to try again.",
                StatusCodes.Status503ServiceUnavailable => "The database does not answer; `Retry-After` says when to try again.",
                _ => "A problem.",
            } + (codes.Length > 0 ? $" Codes: {codes}." : string.Empty),
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ProblemJson] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchemaReference(status == StatusCodes.Status403Forbidden && locked ? LockedSchema : ProblemSchema, document),
                },
            },
        };
        if (status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
        {
            response.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Retry-After"] = new OpenApiHeader
                {
                    Description = "Seconds to wait before trying again.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
                },
            };
        }

        return response;
    }
}
