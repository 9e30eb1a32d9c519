using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reach.Data;
using Reach.Invitations;
using Reach.Members;
using Reach.Messaging;
using Reach.Policy;
using Reach.Posts;
using Reach.Safety;

namespace Reach.Demo;

/// <summary>
/// The demo network of <c>--demo</c>: about fifty members across every tier and setting, seeded through the same use
/// cases as real traffic, arranged so that the member <c>alex</c> meets every kind of lock on a first visit.
/// </summary>
public static class DemoNetwork
{
    public const string Password = "reach-demo";

    public const string Domain = "demo.reach";

    /// <summary>The member a newcomer signs in as.</summary>
    public const string Newcomer = "alex";

    // handle, name, headline, company, tier, whoCanMessage, open to work
    private static readonly (string Handle, string Name, string Headline, string Company, string Tier, WhoCanMessage Who, bool OpenToWork)[] People =
    [
        ("alex", "Alex Morgan", "Product designer looking for a new team", "Freelance", "basic", WhoCanMessage.Anyone, true),
        ("sam", "Sam Rivera", "Account executive, developer tools", "Northwind", "sales_navigator", WhoCanMessage.Anyone, false),
        ("grace", "Grace Hopper", "Rear admiral, compilers", "US Navy", "basic", WhoCanMessage.Connections, false),
        ("ada", "Ada Lovelace", "Analyst of engines", "Analytical Society", "basic", WhoCanMessage.KnownContacts, false),
        ("linus", "Linus Torvalds", "Kernel maintainer", "Linux Foundation", "basic", WhoCanMessage.Anyone, false),
        ("margaret", "Margaret Hamilton", "Software engineering, flight software", "Hamilton Technologies", "premium_business", WhoCanMessage.Anyone, false),
        ("tim", "Tim Berners-Lee", "Inventor of the web, open to ideas", "W3C", "sales_navigator", WhoCanMessage.Connections, false),
        ("barbara", "Barbara Liskov", "Professor, distributed systems", "MIT", "basic", WhoCanMessage.Connections, false),
        ("ken", "Ken Thompson", "Unix, Go", "Google", "basic", WhoCanMessage.Anyone, false),
        ("dennis", "Dennis Ritchie", "C and Unix", "Bell Labs", "basic", WhoCanMessage.Anyone, false),
        ("katherine", "Katherine Johnson", "Mathematician, orbital mechanics", "NASA", "basic", WhoCanMessage.Connections, false),
        ("frances", "Frances Allen", "Compiler optimisation", "IBM Research", "basic", WhoCanMessage.Anyone, false),
        ("donald", "Donald Knuth", "The art of programming", "Stanford", "recruiter_lite", WhoCanMessage.Anyone, false),
        ("radia", "Radia Perlman", "Network protocols", "Dell", "recruiter", WhoCanMessage.Anyone, false),
        ("edsger", "Edsger Dijkstra", "Structured programming", "UT Austin", "basic", WhoCanMessage.Anyone, false),
        ("hedy", "Hedy Lamarr", "Inventor, frequency hopping", "Independent", "premium_business", WhoCanMessage.Anyone, true),
        ("alan", "Alan Turing", "Computability, morphogenesis", "University of Manchester", "basic", WhoCanMessage.Anyone, true),
        ("john", "John McCarthy", "Lisp, artificial intelligence", "Stanford", "basic", WhoCanMessage.KnownContacts, false),
        ("shafi", "Shafi Goldwasser", "Cryptography", "Berkeley", "sales_navigator", WhoCanMessage.Anyone, false),
        ("leslie", "Leslie Lamport", "Distributed systems, TLA+", "Microsoft Research", "basic", WhoCanMessage.Anyone, false),
        ("annie", "Annie Easley", "Rocket scientist", "NASA", "basic", WhoCanMessage.Anyone, true),
        ("guido", "Guido van Rossum", "Python", "Microsoft", "basic", WhoCanMessage.Connections, false),
        ("anders", "Anders Hejlsberg", "C#, TypeScript", "Microsoft", "premium_business", WhoCanMessage.Anyone, false),
        ("bjarne", "Bjarne Stroustrup", "C++", "Columbia University", "basic", WhoCanMessage.Anyone, false),
        ("jean", "Jean Sammet", "COBOL, programming languages", "IBM", "basic", WhoCanMessage.Anyone, false),
        ("kathleen", "Kathleen Booth", "Assembly language", "Birkbeck", "basic", WhoCanMessage.Anyone, true),
        ("john_b", "John Backus", "Fortran, BNF", "IBM", "recruiter_lite", WhoCanMessage.Anyone, false),
        ("niklaus", "Niklaus Wirth", "Pascal, Oberon", "ETH Zurich", "basic", WhoCanMessage.Anyone, false),
        ("adele", "Adele Goldberg", "Smalltalk", "Xerox PARC", "basic", WhoCanMessage.KnownContacts, false),
        ("alan_k", "Alan Kay", "Object-oriented programming", "Viewpoints", "basic", WhoCanMessage.Anyone, false),
        ("vint", "Vint Cerf", "TCP/IP", "Google", "sales_navigator", WhoCanMessage.Anyone, false),
        ("bob", "Bob Kahn", "TCP/IP", "CNRI", "basic", WhoCanMessage.Anyone, false),
        ("sophie", "Sophie Wilson", "ARM instruction set", "Broadcom", "basic", WhoCanMessage.Anyone, false),
        ("steve", "Steve Furber", "ARM, SpiNNaker", "University of Manchester", "basic", WhoCanMessage.Anyone, false),
        ("mary", "Mary Kenneth Keller", "Computer science education", "Clarke College", "basic", WhoCanMessage.Anyone, true),
        ("ivan", "Ivan Sutherland", "Computer graphics", "Portland State", "basic", WhoCanMessage.Anyone, false),
        ("lynn", "Lynn Conway", "VLSI design", "Michigan", "premium_business", WhoCanMessage.Connections, false),
        ("whitfield", "Whitfield Diffie", "Public-key cryptography", "Stanford", "basic", WhoCanMessage.Anyone, false),
        ("martin", "Martin Hellman", "Public-key cryptography", "Stanford", "basic", WhoCanMessage.Anyone, false),
        ("ron", "Ron Rivest", "RSA", "MIT", "recruiter", WhoCanMessage.Anyone, false),
        ("adi", "Adi Shamir", "RSA, secret sharing", "Weizmann Institute", "basic", WhoCanMessage.Anyone, false),
        ("len", "Len Adleman", "RSA, DNA computing", "USC", "basic", WhoCanMessage.Anyone, false),
        ("evelyn", "Evelyn Boyd Granville", "Mathematician, orbit computations", "IBM", "basic", WhoCanMessage.Anyone, true),
        ("charles", "Charles Babbage", "Difference engines", "Cambridge", "basic", WhoCanMessage.Anyone, false),
        ("claude", "Claude Shannon", "Information theory", "Bell Labs", "basic", WhoCanMessage.Anyone, false),
        ("john_v", "John von Neumann", "Stored-program computers", "IAS", "premium_business", WhoCanMessage.Anyone, false),
        ("carol", "Carol Shaw", "Game design", "Atari", "basic", WhoCanMessage.Anyone, true),
        ("roberta", "Roberta Williams", "Adventure games", "Sierra", "basic", WhoCanMessage.Anyone, false),
        ("tony", "Tony Hoare", "Quicksort, CSP", "Oxford", "basic", WhoCanMessage.Anyone, false),
        ("barbara_s", "Barbara Simons", "Voting technology", "ACM", "basic", WhoCanMessage.Anyone, false),
    ];

    /// <summary>
    /// Seeds the demo network into an empty database, and writes how to sign in. <paramref name="progress"/> hears the
    /// part done, from 0 to 1 (the members are most of the work: each is registered with a hashed password).
    /// </summary>
    public static async Task SeedAsync(IServiceProvider services, TextWriter output, IProgress<double>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(output);
        await using (var check = services.CreateAsyncScope())
        {
            if (await check.ServiceProvider.GetRequiredService<ReachDb>().Members.AnyAsync(cancel))
            {
                await output.WriteLineAsync("demo: the database already has members; nothing was seeded.");
                await WriteSignInAsync(output);
                return;
            }
        }

        var seeded = 0;
        foreach (var person in People)
        {
            progress?.Report(0.8 * seeded++ / People.Length);
            await using var scope = services.CreateAsyncScope();
            var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
            var admin = scope.ServiceProvider.GetRequiredService<AdminService>();
            var registered = await accounts.RegisterAsync(
                new RegisterRequest($"{person.Handle}@{Domain}", Password, person.Handle, person.Name, person.Headline), cancel);
            var member = registered.Value ?? throw new InvalidOperationException($"demo: {person.Handle}: {registered.Failure!.Detail}");
            await accounts.UpdateProfileAsync(member.Id, new ProfilePatch(null, null, person.Company, null, person.OpenToWork), cancel);
            if (person.Tier != "basic")
            {
                Must(await admin.SetTierAsync(person.Handle, new TierRequest(person.Tier), cancel));
            }

            var premium = person.Tier is "sales_navigator";
            Must(await accounts.UpdateSettingsAsync(
                member.Id,
                new SettingsRequest(person.Who.Code(), AcceptInMail: person.Handle != "barbara", OpenProfile: premium && person.Handle == "shafi"),
                cancel));
        }

        await using var seed = services.CreateAsyncScope();
        var db = seed.ServiceProvider.GetRequiredService<ReachDb>();
        var ids = await db.Members.ToDictionaryAsync(m => m.Handle, m => m.Id, cancel);
        var invitations = seed.ServiceProvider.GetRequiredService<InvitationService>();
        var messaging = seed.ServiceProvider.GetRequiredService<SendMessage>();
        var safety = seed.ServiceProvider.GetRequiredService<SafetyService>();
        var accountsService = seed.ServiceProvider.GetRequiredService<AccountService>();
        var clock = seed.ServiceProvider.GetRequiredService<TimeProvider>();

        async Task Connect(string a, string b)
        {
            var invitation = Must(await invitations.InviteAsync(ids[a], new InvitationRequest(b, null), cancel));
            if (invitation.State == "pending")
            {
                Must(await invitations.AcceptAsync(ids[b], invitation.Id, cancel));
            }
        }

        async Task<SendResult> Send(string from, string to, string body, bool inMail = false, string? subject = null) =>
            await messaging.SendAsync(ids[from], new SendRequest(to, body, subject, inMail, null), null, cancel) is SendOutcome.Sent { Result: var sent }
                ? sent
                : throw new InvalidOperationException($"demo: {from} could not message {to}.");

        // Connections: alex knows dennis and a few others; everyone has a handful, some 500+ in spirit.
        foreach (var other in new[] { "dennis", "edsger", "annie", "bjarne", "claude" })
        {
            await Connect(Newcomer, other);
        }

        for (var i = 2; i < People.Length; i++)
        {
            for (var step = 1; step <= 3; step++)
            {
                var j = 2 + ((i - 2 + (step * 7)) % (People.Length - 2));
                if (j != i && !await db.Connections.AnyAsync(c => c.MemberId == ids[People[i].Handle] && c.OtherId == ids[People[j].Handle], cancel))
                {
                    await Connect(People[i].Handle, People[j].Handle);
                }
            }
        }

        // A conversation katherine opened with alex: alex may answer her freely although she takes connections only.
        await Connect("katherine", "sam");
        await Send("sam", "katherine", "Katherine, thanks for the talk on trajectories. Could we meet next week?");
        await Send("katherine", Newcomer, "Hello Alex, I saw your portfolio. Would you have time for a short call about our mission dashboards?");

        // Two cold messages to frances without an answer: alex must wait for her reply.
        await Send(Newcomer, "frances", "Hello Frances, I design tools for compiler engineers and would love your view on one idea.");
        await Send(Newcomer, "frances", "Frances, a short follow-up: a 15-minute call would be plenty.");

        // linus has received his whole monthly cap of first messages.
        var cap = seed.ServiceProvider.GetRequiredService<ReachPolicy>().FindTier("basic")!.ReceiveCap;
        var received = 0;
        foreach (var sender in People.Select(p => p.Handle).Where(h => h is not ("linus" or Newcomer or "ken" or "frances")))
        {
            if (received == cap)
            {
                break;
            }

            if (!await db.Connections.AnyAsync(c => c.MemberId == ids[sender] && c.OtherId == ids["linus"], cancel))
            {
                await Send(sender, "linus", $"Hi Linus, {People.First(p => p.Handle == sender).Name} here: a quick question about patches.");
                received++;
            }
        }

        // sam (Sales Navigator) sent an InMail to grace, who takes connections only; the credit returns if she answers.
        await Send("sam", "grace", "Grace, may I show you a tool that finds bugs in compilers? Ten minutes would do.", inMail: true, subject: "Compilers, and a short demo");

        // Invitations waiting both ways, messages in alex's Inbox and Requests.
        Must(await invitations.InviteAsync(ids["alan"], new InvitationRequest(Newcomer, "We met at the design systems meetup. Let's keep in touch."), cancel));
        Must(await invitations.InviteAsync(ids[Newcomer], new InvitationRequest("barbara", "I enjoyed your lecture on abstraction."), cancel));
        await Send("dennis", Newcomer, "Alex, the mockups look great. Can you send the final files by Friday?");
        await Send("hedy", Newcomer, "Hi Alex, we are hiring a product designer for a radio startup. Interested?");

        // ken blocked alex: alex only ever sees "unavailable".
        Must(await safety.BlockAsync(ids["ken"], Newcomer, cancel));

        // ada takes known contacts only: alex gives her address (ada@demo.reach). john keeps alex in his address book.
        Must(await accountsService.ReplaceAddressBookAsync(ids["john"], [$"{Newcomer}@{Domain}"], cancel));

        var now = clock.GetUtcNow();
        db.Posts.AddRange(
            new Post { AuthorId = ids["margaret"], Body = "Software engineering is a discipline. Fifty years on, the checklists still save missions.", CreatedAt = now },
            new Post { AuthorId = ids["grace"], Body = "It's easier to ask forgiveness than it is to get permission. Unless it is a production database.", CreatedAt = now },
            new Post { AuthorId = ids["linus"], Body = "My inbox is full this month. Send patches to the list, not to me.", CreatedAt = now },
            new Post { AuthorId = ids["hedy"], Body = "We are hiring product designers for a radio startup. Open to work? Say hello.", CreatedAt = now });
        await db.SaveChangesAsync(cancel);

        progress?.Report(1);
        await output.WriteLineAsync($"demo: seeded {People.Length} members, their connections, conversations, invitations and posts.");
        await WriteSignInAsync(output);
    }

    private static async Task WriteSignInAsync(TextWriter output) =>
        await output.WriteLineAsync(
            $"demo: sign in as {Newcomer}@{Domain} (or any member, e.g. sam@{Domain} with InMail credits), password '{Password}'. " +
            "Visit the profiles of grace, ada, linus, margaret, frances, barbara and ken to meet each kind of lock.");

    private static T Must<T>(Outcome<T> outcome) =>
        outcome.Failure is { } failure ? throw new InvalidOperationException("demo: " + failure.Detail) : outcome.Value!;
}
