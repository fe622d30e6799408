using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using SarKit.Web.Api;

namespace SarKit.Web;

/// <summary>
/// Builds the SarKit web app (docs/web.md): ASP.NET Core minimal APIs over the library under /api, and the front end
/// (plain JavaScript modules embedded in this assembly) at /. Loopback only unless <see cref="SarKitWebOptions.Public"/>.
/// </summary>
public static class SarKitWebApp
{
    /// <summary>
    /// Creates the app. With <paramref name="options"/> the settings are those (validated); without, they are bound
    /// from the configuration section "SarKit" when first needed (so test hosts can set them).
    /// </summary>
    public static WebApplication Create(string[] args, SarKitWebOptions? options = null, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning).AddFilter("System", LogLevel.Warning)
            // "Hosting failed to start" (with the bind failure's 18-line stack trace) is logged before Start() throws;
            // Start reports that exception in one line (exit 2), so the host's own error log is not shown
            .AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        if (options is not null)
        {
            options.Validate();
            builder.Services.AddSingleton(options);
            builder.WebHost.UseUrls([.. options.Urls.Count > 0 ? options.Urls : [$"http://127.0.0.1:{SarKitWebOptions.DefaultPort}"]]);
        }
        else
        {
            builder.Services.AddSingleton(sp =>
            {
                var o = new SarKitWebOptions();
                sp.GetRequiredService<IConfiguration>().GetSection("SarKit").Bind(o);
                return o.Validate();
            });
        }
        var s = builder.Services;
        s.AddSingleton(sp => new DataFolder(sp.GetRequiredService<SarKitWebOptions>().DataFolder));
        s.AddSingleton<DatasetCache>();
        s.AddSingleton<DatasetListing>();
        s.AddSingleton<RecordsLocation>();
        s.AddSingleton<VopJobs>();
        s.AddSingleton<PulseDesignWork>();
        s.AddSingleton<ShimJobs>();
        s.AddSingleton<SpokesJobs>();
        s.ConfigureHttpJsonOptions(j =>
        {
            j.SerializerOptions.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
            j.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
        });
        // malformed query values (e.g. calibration=abc) → BadHttpRequestException → JSON 400 from ApiErrors
        s.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(r => r.ThrowOnBadRequest = true);
        s.AddHeavyWorkLimiter();
        s.AddRequestTimeouts();
        s.AddOptions<RequestTimeoutOptions>().Configure<SarKitWebOptions>((t, o) => t.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = o.RequestTimeout,
            TimeoutStatusCode = 504,
            WriteTimeoutResponse = ctx => ApiErrors.Write(ctx, 504, "timeout", $"The request took longer than {o.RequestTimeout.TotalSeconds:G4} s and was cancelled."),
        });
        s.AddOptions<KestrelServerOptions>().Configure<SarKitWebOptions>((k, o) =>
        {
            k.Limits.MaxRequestBodySize = o.MaxUploadBytes;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(30);
            k.AddServerHeader = false;
        });
        s.AddOptions<HostFilteringOptions>().Configure<SarKitWebOptions>((h, o) =>
        {
            // DNS-rebinding protection: a loopback-only app answers only to loopback host names
            h.AllowedHosts = o.Public ? ["*"] : ["localhost", "127.0.0.1", "[::1]"];
            h.AllowEmptyHosts = false;
        });
        configure?.Invoke(builder);

        var app = builder.Build();
        app.Use(ApiErrors.Middleware);
        app.Use(async (ctx, next) =>
        {
            var o = ctx.RequestServices.GetRequiredService<SarKitWebOptions>();
            var remote = ctx.Connection.RemoteIpAddress;
            if (remote is { IsIPv4MappedToIPv6: true }) remote = remote.MapToIPv4();
            if (!o.Public && remote is not null && !IPAddress.IsLoopback(remote))
            {
                await ApiErrors.Write(ctx, 403, "forbidden", "This SarKit web app accepts loopback clients only (start it with --public to allow others).");
                return;
            }
            var h = ctx.Response.Headers;
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
            // same-origin (not no-referrer): browsers then send the real Origin on the app's own POSTs (with no-referrer
            // they send "Origin: null", which CsrfGuard must refuse); other sites still get no referrer
            h["Referrer-Policy"] = "same-origin";
            h.CacheControl = "no-store";
            await next(ctx);
        });
        app.UseHostFiltering();
        app.Use(CsrfGuard.Middleware);
        app.UseRequestTimeouts();
        app.Use(ContentTypeCheck.Middleware);
        app.UseRateLimiter();

        var files = new EmbeddedWwwroot(typeof(SarKitWebApp).Assembly);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files, ContentTypeProvider = new FileExtensionContentTypeProvider() });
        ApiRoutes.MapAll(app);
        return app;
    }

    /// <summary>
    /// Starts precomputing the Q-matrices (default averaging mass) of the first dataset of the data folder in the
    /// background, so the SAR viewer's first drive is fast. Errors are left for the first real request to report.
    /// </summary>
    public static void WarmUp(WebApplication app)
    {
        var folder = app.Services.GetRequiredService<DataFolder>();
        var options = app.Services.GetRequiredService<SarKitWebOptions>();
        var cache = app.Services.GetRequiredService<DatasetCache>();
        var first = folder.List().FirstOrDefault();
        if (first is null) return;
        _ = Task.Run(async () =>
        {
            try { await cache.GetAsync(folder.Resolve(first.Path), options.DefaultMassKg, CancellationToken.None); }
            catch (Exception) { /* reported by the first request that needs it */ }
        });
    }

    /// <summary>
    /// Starts the app; a failure to listen (address in use, permission denied, address not available) becomes a
    /// one-line <see cref="SarKitInputException"/> naming the address (exit 2 in <c>sarkit serve</c>).
    /// </summary>
    public static void Start(WebApplication app)
    {
        try { app.Start(); }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            var urls = app.Services.GetService<SarKitWebOptions>()?.Urls is { Count: > 0 } u ? string.Join(", ", u) : "the configured address";
            throw new SarKitInputException(ListenFailure(urls, e), e);
        }
    }

    internal static string ListenFailure(string urls, Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is Microsoft.AspNetCore.Connections.AddressInUseException
                || x is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse })
                return $"Cannot listen on {urls}: the port is already in use (another SarKit web app or program listens there); stop it or choose another --port (0: any free port).";
            if (x is System.Net.Sockets.SocketException s)
                return $"Cannot listen on {urls}: {s.Message} ({s.SocketErrorCode}).";
        }
        return $"Cannot listen on {urls}: {e.Message}";
    }

    /// <summary>The addresses the started app listens on (with the actual port when 0 was asked).</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app)
        => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
}
