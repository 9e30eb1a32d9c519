using System.Runtime.InteropServices;

namespace Reach.Benchmarks.Run;

/// <summary>The machine a run was measured on, named in the report.</summary>
public static class Machine
{
    public static string Describe()
    {
        var cpu = Read("/proc/cpuinfo").Split('\n').FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        var memory = Read("/proc/meminfo").Split('\n').FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        var gib = long.TryParse(memory.Split(' ')[0], out var kb) ? $"{kb / 1024.0 / 1024.0:0.#} GiB" : memory;
        var os = Read("/etc/os-release").Split('\n').FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"') ?? RuntimeInformation.OSDescription;
        var product = Read("/sys/class/dmi/id/product_name").Trim();
        var kernel = Read("/proc/sys/kernel/osrelease").Trim();
        return $"{cpu}, {Environment.ProcessorCount} logical cores, {gib} memory{(product.Length > 0 ? $", {product}" : string.Empty)}; "
            + $"{os}, Linux {kernel}; {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.ProcessArchitecture}); host {Environment.MachineName}";
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
