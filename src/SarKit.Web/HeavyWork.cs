using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using SarKit.Web.Api;

namespace SarKit.Web;

/// <summary>
/// Concurrency limit of the heavy requests (SAR maps, sequence checks, VOP files, probe scans, dataset headers and the
/// dataset listing): at most <see cref="SarKitWebOptions.EffectiveMaxConcurrentRequests"/> run at once, up to
/// <see cref="SarKitWebOptions.RequestQueueLimit"/> wait in arrival order, further ones are answered 503 (kind
/// <c>busy</c>) with Retry-After at once (ASP.NET Core rate limiting, <see cref="ConcurrencyLimiter"/>). With the byte
/// budget of <see cref="DatasetCache"/> this keeps memory bounded under load: waiting requests have not read their body
/// or allocated their maps yet.
/// </summary>
public static class HeavyWork
{
    /// <summary>Name of the rate-limiting policy; endpoints opt in with <c>.RequireRateLimiting(HeavyWork.Policy)</c>.</summary>
    public const string Policy = "heavy";

    public static void AddHeavyWorkLimiter(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<SarKitWebOptions>((r, o) =>
        {
            r.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            r.OnRejected = async (ctx, ct) =>
            {
                ctx.HttpContext.Response.Headers.RetryAfter = "5";
                await ApiErrors.Write(ctx.HttpContext, StatusCodes.Status503ServiceUnavailable, "busy",
                    $"The server is busy: {o.EffectiveMaxConcurrentRequests} heavy requests are running and {o.RequestQueueLimit} are waiting; try again in a few seconds.");
            };
            r.AddConcurrencyLimiter(Policy, c =>
            {
                c.PermitLimit = o.EffectiveMaxConcurrentRequests;
                c.QueueLimit = o.RequestQueueLimit;
                c.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
        });
    }
}
