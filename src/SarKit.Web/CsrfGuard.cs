using SarKit.Web.Api;

namespace SarKit.Web;

/// <summary>
/// Cross-site request forgery protection of every state-changing request (POST, PUT, PATCH, DELETE, and any method
/// other than GET, HEAD, OPTIONS, TRACE), as one middleware for the whole app (docs/web.md, "Safety"; OWASP CSRF
/// Prevention Cheat Sheet: "Verifying origin with standard headers" plus "Custom request headers"):
/// <list type="number">
/// <item>Same origin: the <c>Origin</c> header, when present, must be this server's own origin (scheme, host, port of
/// the request; "null" is refused). Without <c>Origin</c>, <c>Sec-Fetch-Site</c> must be <c>same-origin</c> when
/// present and <c>Referer</c> must be on this origin when present; a request carrying none of the three is refused.</item>
/// <item>The non-simple header <see cref="HeaderName"/> (any non-empty value; the front end sends "1"). A page on
/// another site cannot add it without a CORS preflight, which this app never grants.</item>
/// </list>
/// Refusals answer 403 with the JSON error body of <see cref="ApiErrors"/> (kind <c>csrf</c>).
/// </summary>
public static class CsrfGuard
{
    /// <summary>Request header every state-changing request must carry.</summary>
    public const string HeaderName = "X-SarKit-Request";

    /// <summary>True for methods that may change state (everything but GET, HEAD, OPTIONS, TRACE).</summary>
    public static bool IsStateChanging(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));

    /// <summary>The middleware (after host filtering, before static files and endpoints).</summary>
    public static async Task Middleware(HttpContext ctx, RequestDelegate next)
    {
        if (IsStateChanging(ctx.Request.Method) && Refusal(ctx.Request) is { } why)
        {
            await ApiErrors.Write(ctx, StatusCodes.Status403Forbidden, "csrf", why);
            return;
        }
        await next(ctx);
    }

    /// <summary>Why a state-changing request is refused, or null when it is allowed.</summary>
    public static string? Refusal(HttpRequest request)
    {
        var h = request.Headers;
        string self = $"{request.Scheme}://{request.Host.Value}";
        string origin = h.Origin.ToString(), site = h["Sec-Fetch-Site"].ToString(), referer = h.Referer.ToString();
        string Hint() => $" State-changing requests are accepted only from this app's own pages ({self}), with the header {HeaderName}: 1.";
        if (origin.Length > 0)
        {
            if (!SameOrigin(origin, request)) return $"Cross-origin request refused: Origin '{Shorten(origin)}' is not this server's origin.{Hint()}";
        }
        else if (site.Length == 0 && referer.Length == 0)
            return $"Request refused: a {request.Method} without Origin, Sec-Fetch-Site or Referer header cannot be checked for cross-site forgery.{Hint()}";
        if (site.Length > 0 && !site.Equals("same-origin", StringComparison.OrdinalIgnoreCase))
            return $"Cross-origin request refused: Sec-Fetch-Site is '{Shorten(site)}', expected same-origin.{Hint()}";
        if (origin.Length == 0 && referer.Length > 0 && !SameOrigin(referer, request))
            return $"Cross-origin request refused: Referer '{Shorten(referer)}' is not on this server's origin.{Hint()}";
        if (string.IsNullOrWhiteSpace(h[HeaderName].ToString()))
            return $"Request refused: the header {HeaderName} is missing (it protects against cross-site request forgery; the app's own pages send it).{Hint()}";
        return null;
    }

    /// <summary>True when the absolute URL <paramref name="url"/> has the request's scheme, host and port.</summary>
    internal static bool SameOrigin(string url, HttpRequest request)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || (u.Scheme != Uri.UriSchemeHttp && u.Scheme != Uri.UriSchemeHttps)) return false;
        if (!u.Scheme.Equals(request.Scheme, StringComparison.OrdinalIgnoreCase)) return false;
        if (!Uri.TryCreate($"{request.Scheme}://{request.Host.Value}/", UriKind.Absolute, out var self)) return false;
        return u.Host.Equals(self.Host, StringComparison.OrdinalIgnoreCase) && u.Port == self.Port;
    }

    private static string Shorten(string s) => s.Length <= 100 ? s : s[..100] + "…";
}
