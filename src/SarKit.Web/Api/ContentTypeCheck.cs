using Microsoft.Net.Http.Headers;

namespace SarKit.Web.Api;

/// <summary>
/// Endpoint metadata: the media types its request body may have (<c>.WithMetadata(new BodyContentTypes("application/json"))</c>).
/// Not ASP.NET's <c>Accepts</c>, whose routing policy would turn a wrong type into "no such endpoint" (404) instead of 415.
/// </summary>
public sealed record BodyContentTypes(params string[] ContentTypes);

/// <summary>
/// Refuses request bodies whose Content-Type is not one the endpoint declares with <see cref="BodyContentTypes"/>: JSON endpoints take <c>application/json</c> (or <c>…+json</c>) only, so an HTML form
/// or a <c>text/plain</c> "simple" request cannot reach them. 415 with the JSON error body (kind <c>unsupported_media_type</c>).
/// One middleware after routing; endpoints without the metadata are not affected.
/// </summary>
public static class ContentTypeCheck
{
    public static async Task Middleware(HttpContext ctx, RequestDelegate next)
    {
        var accepts = ctx.GetEndpoint()?.Metadata.GetMetadata<BodyContentTypes>();
        if (accepts is { ContentTypes.Length: > 0 } && CsrfGuard.IsStateChanging(ctx.Request.Method) && !Accepted(ctx.Request.ContentType, accepts.ContentTypes))
        {
            var given = string.IsNullOrEmpty(ctx.Request.ContentType) ? "no Content-Type" : $"Content-Type '{ctx.Request.ContentType}'";
            await ApiErrors.Write(ctx, StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type",
                $"{ctx.Request.Path}: {given} is not accepted; send {string.Join(" or ", accepts.ContentTypes)}.");
            return;
        }
        await next(ctx);
    }

    internal static bool Accepted(string? contentType, IReadOnlyList<string> allowed)
    {
        if (string.IsNullOrEmpty(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var given)) return false;
        var media = given.MediaType.Value ?? "";
        foreach (var a in allowed)
        {
            if (media.Equals(a, StringComparison.OrdinalIgnoreCase)) return true;
            // RFC 6839 structured syntax suffix: application/problem+json is JSON
            if (a.Equals("application/json", StringComparison.OrdinalIgnoreCase) && media.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
                && media.EndsWith("+json", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
