using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Reach.Policy;

namespace Reach.Server.Api;

/// <summary>
/// The one table from outcomes to HTTP: every problem <c>code</c> Reach answers with and its status. Errors are
/// RFC 9457 problem documents with the stable <c>code</c> extension, and <c>field</c> where a field is at fault.
/// </summary>
public static class Problems
{
    /// <summary>A request body over its limit (<see cref="Web.RequestGuards"/>), refused before it is read.</summary>
    public const string TooLarge = "too_large";

    /// <summary>A body in a character set other than UTF-8.</summary>
    public const string UnsupportedMediaType = "unsupported_media_type";

    /// <summary>The database's disk is full: nothing of the request was stored; it can be sent again once there is room.</summary>
    public const string InsufficientStorage = "insufficient_storage";

    /// <summary>A request that ran past <c>--request-timeout</c> (a stalled database): 503 <c>unavailable</c>, <c>Retry-After</c>.</summary>
    public static Task WriteTimeoutAsync(HttpContext context) =>
        Unavailable(context, "The database did not answer in time: nothing was changed; try again in a moment.").ExecuteAsync(context);

    /// <summary>503 <c>unavailable</c> with <c>Retry-After: 1</c>: the request was fine, the database cannot serve it now.</summary>
    public static ProblemHttpResult Unavailable(HttpContext context, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.RetryAfter = "1";
        return TypedResults.Problem(
            detail: detail, title: "Reach is busy; try again in a moment.", statusCode: StatusCodes.Status503ServiceUnavailable,
            extensions: new Dictionary<string, object?> { ["code"] = "unavailable" });
    }

    /// <summary>Too many requests of a kind from one client or for one account; <c>Retry-After</c> says when to try again.</summary>
    public const string TooManyRequests = "too_many_requests";

    public static readonly IReadOnlyDictionary<string, int> Statuses = new Dictionary<string, int>
    {
        [Failure.Codes.ValidationFailed] = StatusCodes.Status400BadRequest,
        ["unauthorized"] = StatusCodes.Status401Unauthorized,
        [Failure.Codes.MessageLocked] = StatusCodes.Status403Forbidden,
        [Failure.Codes.InvitationRefused] = StatusCodes.Status403Forbidden,
        [Failure.Codes.NotAllowed] = StatusCodes.Status403Forbidden,
        [Failure.Codes.NotFound] = StatusCodes.Status404NotFound,
        [Failure.Codes.Conflict] = StatusCodes.Status409Conflict,
        [Failure.Codes.IdempotencyKeyInFlight] = StatusCodes.Status409Conflict,
        [Failure.Codes.InsufficientCredits] = StatusCodes.Status409Conflict,
        [Failure.Codes.ClockNotManual] = StatusCodes.Status409Conflict,
        [Failure.Codes.IdempotencyKeyReused] = StatusCodes.Status422UnprocessableEntity,
        [TooLarge] = StatusCodes.Status413PayloadTooLarge,
        [UnsupportedMediaType] = StatusCodes.Status415UnsupportedMediaType,
        [TooManyRequests] = StatusCodes.Status429TooManyRequests,
        ["internal_error"] = StatusCodes.Status500InternalServerError,
        ["unavailable"] = StatusCodes.Status503ServiceUnavailable,
        [InsufficientStorage] = StatusCodes.Status507InsufficientStorage,
    };

    /// <summary>The problem for a failure, with the locked decision spelled out for <c>message_locked</c>.</summary>
    public static ProblemHttpResult For(Failure failure, ReachPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var extensions = new Dictionary<string, object?> { ["code"] = failure.Code };
        if (failure.Field is not null)
        {
            extensions["field"] = failure.Field;
        }

        if (failure.Reason is not null)
        {
            extensions["reason"] = failure.Reason;
        }

        if (failure.Until is not null)
        {
            extensions["until"] = failure.Until;
        }

        if (failure.Decision is { } decision)
        {
            var view = DecisionJson.From(decision, policy);
            extensions["reasons"] = view.Reasons;
            extensions["remedies"] = view.Remedies;
            extensions["resetsAt"] = view.ResetsAt;
            if (view.RestrictedUntil is not null)
            {
                extensions["restrictedUntil"] = view.RestrictedUntil;
            }
        }

        return TypedResults.Problem(
            detail: failure.Detail,
            statusCode: Statuses[failure.Code],
            title: Title(failure.Code),
            type: "https://reach.example/problems/" + failure.Code.Replace('_', '-'),
            extensions: extensions);
    }

    public static ProblemHttpResult Invalid(string field, string detail, ReachPolicy policy) => For(Failure.Invalid(field, detail), policy);

    /// <summary>
    /// Gives the problems the framework writes by itself (a body over the limit, a sign-in challenge, an unknown path)
    /// the <c>code</c> of the table, so that every problem carries one.
    /// </summary>
    public static void AddCode(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var problem = context.ProblemDetails;
        if (problem.Extensions.ContainsKey("code"))
        {
            return;
        }

        var code = problem.Status switch
        {
            StatusCodes.Status401Unauthorized => "unauthorized",
            StatusCodes.Status404NotFound => Failure.Codes.NotFound,
            StatusCodes.Status413PayloadTooLarge => TooLarge,
            StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
            StatusCodes.Status429TooManyRequests => TooManyRequests,
            _ => null,
        };
        if (code is not null)
        {
            problem.Extensions["code"] = code;
        }

        if (code == TooLarge)
        {
            problem.Extensions["field"] = "body";
            problem.Detail ??= "The request body is larger than this endpoint takes.";
        }
    }

    private static string Title(string code) => code switch
    {
        Failure.Codes.ValidationFailed => "The request is not valid.",
        Failure.Codes.MessageLocked => "Message locked.",
        Failure.Codes.NotFound => "Not found.",
        Failure.Codes.InvitationRefused => "The invitation cannot be sent.",
        "unauthorized" => "Sign in first.",
        TooLarge => "The request body is too large.",
        UnsupportedMediaType => "The body's media type or character set is not supported.",
        TooManyRequests => "Too many requests; try again later.",
        _ => code.Replace('_', ' '),
    };
}

/// <summary>
/// Turns what goes wrong outside the handlers into problems: a body that is not JSON or has a wrong type is a 400
/// naming the field; anything unexpected is a 500 without internals.
/// </summary>
public sealed class ProblemExceptionHandler(ReachPolicy policy, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ProblemHttpResult problem;
        if (exception is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            problem = Problems.For(new Failure(Problems.TooLarge, "The request body is larger than this endpoint takes.", "body"), policy);
        }
        else if (exception is BadHttpRequestException bad)
        {
            var json = bad.InnerException as JsonException;
            var field = json?.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body";
            var detail = json is null ? "The request could not be read." : $"{field} has a wrong type or the body is not valid JSON.";
            problem = Problems.For(Failure.Invalid(field, detail), policy);
        }
        else if (Reach.Data.Transactions.IsOutOfSpace(exception))
        {
            // The database's disk is full: the transaction was rolled back whole; the request can be sent again later.
            ServerLog.DatabaseUnavailable(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
            problem = Problems.For(new Failure(Problems.InsufficientStorage, "The database has no room left: nothing of this request was stored. Try again once space is freed."), policy);
        }
        else if (Reach.Data.Transactions.IsUnavailable(exception))
        {
            if (Reach.Data.Transactions.IsConnectionLost(exception))
            {
                // The pools' idle connections went with the one that failed: the next requests open new ones.
                httpContext.RequestServices.GetRequiredService<Reach.Data.ReachDatabase>().ConnectionLost();
            }

            // The database is out of connections or busy: the request was fine and nothing was written; try again soon.
            ServerLog.DatabaseUnavailable(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
            problem = Problems.Unavailable(httpContext);
        }
        else if (Web.ErrorPages.WantsHtml(httpContext.Request))
        {
            ServerLog.Unhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
            await Web.ErrorPages.WriteFailureAsync(httpContext);
            return true;
        }
        else
        {
            ServerLog.Unhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
            problem = TypedResults.Problem(
                title: "Something went wrong.", statusCode: StatusCodes.Status500InternalServerError,
                extensions: new Dictionary<string, object?> { ["code"] = "internal_error" });
        }

        await problem.ExecuteAsync(httpContext);
        return true;
    }
}
