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
        ["internal_error"] = StatusCodes.Status500InternalServerError,
        ["unavailable"] = StatusCodes.Status503ServiceUnavailable,
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

    private static string Title(string code) => code switch
    {
        Failure.Codes.ValidationFailed => "The request is not valid.",
        Failure.Codes.MessageLocked => "Message locked.",
        Failure.Codes.NotFound => "Not found.",
        Failure.Codes.InvitationRefused => "The invitation cannot be sent.",
        "unauthorized" => "Sign in first.",
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
        if (exception is BadHttpRequestException bad)
        {
            var json = bad.InnerException as JsonException;
            var field = json?.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body";
            var detail = json is null
                ? (bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large." : "The request could not be read.")
                : $"{field} has a wrong type or the body is not valid JSON.";
            problem = Problems.For(Failure.Invalid(field, detail), policy);
        }
        else if (Reach.Data.Transactions.IsUnavailable(exception))
        {
            // The database is out of connections or busy: the request was fine and nothing was written; try again soon.
            logger.LogWarning(exception, "Database unavailable on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            httpContext.Response.Headers.RetryAfter = "1";
            problem = TypedResults.Problem(
                title: "Reach is busy; try again in a moment.", statusCode: StatusCodes.Status503ServiceUnavailable,
                extensions: new Dictionary<string, object?> { ["code"] = "unavailable" });
        }
        else
        {
            logger.LogError(exception, "Unhandled exception on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            problem = TypedResults.Problem(
                title: "Something went wrong.", statusCode: StatusCodes.Status500InternalServerError,
                extensions: new Dictionary<string, object?> { ["code"] = "internal_error" });
        }

        await problem.ExecuteAsync(httpContext);
        return true;
    }
}
