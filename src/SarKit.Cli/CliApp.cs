using System.CommandLine;

namespace SarKit.Cli;

/// <summary>The `sarkit` command tree. Exit codes: 0 success, 1 internal failure, 2 bad input.</summary>
public static class CliApp
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("SarKit: specific absorption rate (SAR) toolkit for RF safety.");
        return root.Parse(args).Invoke();
    }
}
