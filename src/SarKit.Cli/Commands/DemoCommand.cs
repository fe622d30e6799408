namespace SarKit.Cli.Commands;
internal static class DemoCommand
{
    public static System.CommandLine.Command Create(CliIO io) => new("demo", "Run the pipeline on the built-in demo data.");
}
