using BenchmarkDotNet.Running;

namespace Reach.Benchmarks;

public static class Program
{
    /// <summary><c>run</c> is bench/run's harness; anything else goes to BenchmarkDotNet's switcher.</summary>
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "run")
        {
            return await Run.Harness.RunAsync(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
