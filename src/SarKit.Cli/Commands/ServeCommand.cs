using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using SarKit.Web;

namespace SarKit.Cli.Commands;

/// <summary>
/// `sarkit serve [--data DIR] [--port P | --urls URL…] [--public] [--records PATH]`: starts the local web app
/// (src/SarKit.Web, docs/web.md) on 127.0.0.1, prints its URL and runs until Ctrl-C (SIGINT/SIGTERM).
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliIO io)
    {
        var data = new Option<string?>("--data") { Description = "Data folder whose dataset files the app may open (default: the built-in demo data's folder)." };
        var port = new Option<int?>("--port", "-p") { Description = $"Port on 127.0.0.1 (default {SarKitWebOptions.DefaultPort}; 0: any free port)." }.Range(0, 65535);
        var urls = new Option<string[]>("--urls") { Description = "Addresses to listen on, e.g. http://127.0.0.1:8080 (loopback only unless --public).", AllowMultipleArgumentsPerToken = true };
        var pub = new Option<bool>("--public") { Description = "Allow non-loopback addresses and remote clients (there is no authentication: only on a trusted network)." };
        var records = RecordsCommand.DbOption();
        records.Aliases.Add("--records");
        var maxUpload = new Option<int>("--max-upload-kb") { Description = "Largest request body accepted, KiB.", DefaultValueFactory = _ => 1024 }.Range(1, 1 << 20);
        var cacheMb = new Option<int>("--cache-mb") { Description = "Memory budget of the dataset cache, MiB (0: automatic, a quarter of the available memory, 256 MiB … 2 GiB)." }.Range(0, 1 << 20);
        var cmd = new Command("serve", "Start the local web app (SAR viewer, datasets, NEMA, records) and print its URL; Ctrl-C stops it.")
            { data, port, urls, pub, records, maxUpload, cacheMb };
        cmd.SetAction(p => io.Guard(() => Run(io, p.GetValue(data), p.GetValue(port), p.GetValue(urls), p.GetValue(pub), p.GetValue(records), p.GetValue(maxUpload), p.GetValue(cacheMb))));
        return cmd;
    }

    /// <summary>Settings of a serve command line (validated: data folder exists, loopback unless public).</summary>
    internal static SarKitWebOptions Options(string? data, int? port, string[]? urls, bool isPublic, string? records, int maxUploadKb, int cacheMb = 0)
    {
        if (maxUploadKb <= 0) throw new SarKitInputException($"--max-upload-kb {maxUploadKb}: expected a positive size in KiB.");
        if (cacheMb < 0) throw new SarKitInputException($"--cache-mb {cacheMb}: expected a size in MiB (0: automatic).");
        var o = new SarKitWebOptions
        {
            DataFolder = data ?? Path.GetDirectoryName(DemoData.Locate())!,
            Records = records, Public = isPublic, MaxUploadBytes = maxUploadKb * 1024L, CacheBudgetBytes = cacheMb * (1L << 20),
        };
        if (urls is { Length: > 0 })
        {
            if (port is not null) throw new SarKitInputException("Give either --port or --urls, not both.");
            o.Urls.AddRange(urls.SelectMany(u => u.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        }
        else o.ListenOnPort(port ?? SarKitWebOptions.DefaultPort);
        return o.Validate();
    }

    private static int Run(CliIO io, string? data, int? port, string[]? urls, bool isPublic, string? records, int maxUploadKb, int cacheMb)
    {
        var options = Options(data, port, urls, isPublic, records, maxUploadKb, cacheMb);
        WebApplication app;
        app = SarKitWebApp.Create([], options);
        SarKitWebApp.Start(app);   // a port in use → one-line SarKitInputException (exit 2)
        SarKitWebApp.WarmUp(app);
        foreach (var a in SarKitWebApp.Addresses(app)) io.Out.WriteLine($"SarKit web app: {a}/");
        io.Out.WriteLine($"Data folder: {options.DataFolderFullPath}{(options.Public ? " (public: reachable from other machines)" : "")}");
        io.Out.WriteLine("Press Ctrl-C to stop.");
        io.Out.Flush();
        app.WaitForShutdown();
        io.Out.WriteLine("Stopped.");
        return CliApp.ExitOk;
    }
}
