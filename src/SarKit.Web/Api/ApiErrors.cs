using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace SarKit.Web.Api;

/// <summary>A request body over the configured limit (→ 413).</summary>
public sealed class PayloadTooLargeException(string message) : Exception(message);

/// <summary>JSON error body of every failed API request: {"error": message, "status": code, "kind": ...}.</summary>
public sealed record ApiError(string Error, int Status, string Kind);

/// <summary>
/// Maps exceptions to JSON error responses: <see cref="SarKitInputException"/> → 400 with its message, oversized bodies
/// → 413, a data-folder file that cannot be read (<see cref="DatasetUnreadableException"/>) or a dataset larger than the
/// cache budget (<see cref="CacheBudgetExceededException"/>) → 422, request timeouts → 504, anything else → 500 ("internal error: …"). Unknown /api routes → 404 JSON.
/// </summary>
public static class ApiErrors
{
    public static Task Write(HttpContext ctx, int status, string kind, string message)
    {
        if (ctx.Response.HasStarted) return Task.CompletedTask;
        ctx.Response.Clear();
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        return ctx.Response.WriteAsync(JsonSerializer.Serialize(new ApiError(message, status, kind), JsonSerializerOptions.Web));
    }

    /// <summary>The middleware (first in the pipeline).</summary>
    public static async Task Middleware(HttpContext ctx, RequestDelegate next)
    {
        try { await next(ctx); }
        catch (SarKitInputException e) { await Write(ctx, 400, "bad_input", e.Message); }
        catch (PayloadTooLargeException e) { await Write(ctx, 413, "too_large", e.Message); }
        catch (DatasetUnreadableException e) { await Write(ctx, 422, "unreadable", e.Message); }
        catch (CacheBudgetExceededException e) { await Write(ctx, 422, "too_large", e.Message); }
        catch (BadHttpRequestException e) when (e.StatusCode == 413) { await Write(ctx, 413, "too_large", e.Message); }
        catch (BadHttpRequestException e) { await Write(ctx, e.StatusCode, "bad_request", e.Message); }
        catch (JsonException e) { await Write(ctx, 400, "bad_input", $"Request body is not the expected JSON: {e.Message}"); }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // request timeout (RequestTimeouts middleware) or client gone
            await Write(ctx, 504, "timeout", "The request took longer than the server's request timeout and was cancelled.");
        }
        catch (FileNotFoundException e) { await Write(ctx, 404, "not_found", e.Message); }
        catch (Exception e) { await Write(ctx, 500, "internal", $"internal error: {e.GetType().Name}: {e.Message}"); }
    }
}

/// <summary>Reads request bodies with the configured size limit (Content-Length checked first, then counted while reading).</summary>
public static class RequestBody
{
    public static async Task<string> ReadTextAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        var bytes = await ReadBytesAsync(request, limit, ct);
        return System.Text.Encoding.UTF8.GetString(bytes);
    }

    public static async Task<byte[]> ReadBytesAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        string TooLarge(long n) => $"Request body of {n} bytes is over the limit of {limit} bytes.";
        if (request.ContentLength is { } len && len > limit) throw new PayloadTooLargeException(TooLarge(len));
        var feature = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false } && (feature.MaxRequestBodySize is null || feature.MaxRequestBodySize > limit)) feature.MaxRequestBodySize = limit;
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = await request.Body.ReadAsync(buffer, ct)) > 0)
        {
            if (ms.Length + n > limit) throw new PayloadTooLargeException(TooLarge(ms.Length + n) + " (stopped reading)");
            ms.Write(buffer, 0, n);
        }
        return ms.ToArray();
    }

    /// <summary>Deserialises a size-limited JSON body into <typeparamref name="T"/> (400 on malformed JSON).</summary>
    public static async Task<T> ReadJsonAsync<T>(HttpRequest request, long limit, CancellationToken ct)
    {
        var text = await ReadTextAsync(request, limit, ct);
        if (string.IsNullOrWhiteSpace(text)) throw new SarKitInputException("Request body is empty; expected a JSON object.");
        T? v;
        try { v = JsonSerializer.Deserialize<T>(text, JsonSerializerOptions.Web); }
        catch (JsonException e) { throw new SarKitInputException($"Request body is not valid JSON for this request: {e.Message}", e); }
        return v ?? throw new SarKitInputException("Request body is JSON null; expected an object.");
    }
}
