using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Reach.Members;
using Reach.Policy;

namespace Reach.Server.Api;

public sealed record TokenRequest(string? Email, string? Password);

/// <summary>Sign-up and bearer tokens (SPEC §8): ASP.NET Core Identity hashes the passwords and issues the tokens.</summary>
public static class AuthApi
{
    public static void MapAuth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Auth");

        group.MapPost("/register", async Task<Results<Created<MemberJson>, ProblemHttpResult>> (
            RegisterRequest request, AccountService accounts, ReachPolicy policy, CancellationToken cancel) =>
        {
            var outcome = await accounts.RegisterAsync(request, cancel);
            return outcome.Failure is { } failure
                ? Problems.For(failure, policy)
                : TypedResults.Created($"/api/members/{outcome.Value!.Handle}", MemberJson.From(outcome.Value, policy));
        });

        group.MapPost("/token", async Task<Results<SignInHttpResult, ProblemHttpResult>> (
            TokenRequest request, UserManager<Member> users, SignInManager<Member> signIn, ReachPolicy policy) =>
        {
            if (string.IsNullOrWhiteSpace(request.Email))
            {
                return Problems.Invalid("email", "email is required.", policy);
            }

            if (string.IsNullOrEmpty(request.Password))
            {
                return Problems.Invalid("password", "password is required.", policy);
            }

            var email = request.Email.Trim();
            var member = MemberRules.IsValidEmail(email) ? await users.FindByEmailAsync(email) : null;
            if (member is null || member.Status == AccountStatus.Deactivated || !await users.CheckPasswordAsync(member, request.Password))
            {
                return TypedResults.Problem(
                    title: "Wrong email or password.", statusCode: StatusCodes.Status401Unauthorized,
                    extensions: new Dictionary<string, object?> { ["code"] = "unauthorized" });
            }

            var principal = await signIn.CreateUserPrincipalAsync(member);
            return TypedResults.SignIn(principal, authenticationScheme: IdentityConstants.BearerScheme);
        });
    }

    /// <summary>The signed-in member's id.</summary>
    public static long MemberId(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return long.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!, System.Globalization.CultureInfo.InvariantCulture);
    }
}
