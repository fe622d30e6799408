using SarKit.Web.Api;

namespace SarKit.Web;

/// <summary>A dataset file that could not be read (corrupt, truncated, not a dataset): a per-dataset error (→ 422).</summary>
public sealed class DatasetUnreadableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Runs a read of one file of the data folder so that whatever the file contains, the failure stays a per-file error:
/// <see cref="SarKitInputException"/> (the readers' own refusal, → 400) passes through; any other exception of a reader
/// (index, cast, end of stream, overflow, invalid data, out of memory, …) becomes a <see cref="DatasetUnreadableException"/>
/// naming the file (→ 422), never a 500 with a stack trace or a crashed server. Cancellation passes through.
/// </summary>
public static class DatasetGuard
{
    public static T Read<T>(string file, Func<T> read)
    {
        try { return read(); }
        catch (Exception e) when (IsReaderFailure(e))
        {
            throw new DatasetUnreadableException(
                $"'{file}': cannot be read as a SarKit dataset or VOP file (corrupt, truncated or another format): {e.GetType().Name}: {e.Message}", e);
        }
    }

    public static async Task<T> ReadAsync<T>(string file, Func<Task<T>> read)
    {
        try { return await read(); }
        catch (Exception e) when (IsReaderFailure(e))
        {
            throw new DatasetUnreadableException(
                $"'{file}': cannot be read as a SarKit dataset or VOP file (corrupt, truncated or another format): {e.GetType().Name}: {e.Message}", e);
        }
    }

    /// <summary>The message of a per-file failure as the API reports it (input refusals and unreadable files).</summary>
    public static string? ErrorOf(Exception e) => e switch
    {
        SarKitInputException or DatasetUnreadableException or CacheBudgetExceededException => e.Message,
        _ when IsReaderFailure(e) => $"{e.GetType().Name}: {e.Message}",
        _ => null,
    };

    private static bool IsReaderFailure(Exception e) =>
        e is not (SarKitInputException or DatasetUnreadableException or CacheBudgetExceededException or OperationCanceledException or PayloadTooLargeException);
}
