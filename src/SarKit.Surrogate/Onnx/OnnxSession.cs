using Ort = Microsoft.ML.OnnxRuntime;

namespace SarKit.Surrogate.Onnx;

/// <summary>
/// One ONNX model loaded in ONNX Runtime (CPU, <see cref="OnnxRuntime"/>) with a single float32 input and a single
/// float32 output, as exported by surrogate/train.py (names "input" and "output", opset 13, dynamic batch/height/width).
/// Every failure (missing, corrupt or mismatched model, input that does not fit it) is a <see cref="SarKitInputException"/>
/// naming the model file. Not thread-safe.
/// </summary>
public sealed class OnnxSession : IDisposable
{
    private readonly Ort.InferenceSession _session;
    private readonly Ort.RunOptions _run = new();
    private readonly string[] _inputNames, _outputNames;

    /// <param name="modelPath">.onnx file.</param>
    /// <param name="threads">Intra-op threads (2 on SarKit's machines).</param>
    /// <param name="inputName">Name of the model input.</param><param name="outputName">Name of the model output.</param>
    public OnnxSession(string modelPath, int threads = 2, string inputName = "input", string outputName = "output")
    {
        if (!File.Exists(modelPath)) throw new SarKitInputException($"ONNX model '{modelPath}' does not exist.") { SourceFile = modelPath };
        if (!OnnxRuntime.IsAvailable()) throw new SarKitInputException($"Cannot load ONNX model '{modelPath}': {OnnxRuntime.UnavailableReason}") { SourceFile = modelPath };
        ModelPath = modelPath;
        _inputNames = [inputName]; _outputNames = [outputName];
        using var options = new Ort.SessionOptions
        {
            IntraOpNumThreads = Math.Max(1, threads), InterOpNumThreads = 1,
            ExecutionMode = Ort.ExecutionMode.ORT_SEQUENTIAL,
            LogSeverityLevel = Ort.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try { _session = new Ort.InferenceSession(Path.GetFullPath(modelPath), options); }
        catch (Ort.OnnxRuntimeException e)
        {
            throw new OnnxRuntimeException($"Cannot load ONNX model '{modelPath}': {e.Message}", e) { SourceFile = modelPath };
        }
        try
        {
            Expect(_session.InputMetadata, inputName, "input");
            Expect(_session.OutputMetadata, outputName, "output");
        }
        catch { _session.Dispose(); throw; }
    }

    private void Expect(IReadOnlyDictionary<string, Ort.NodeMetadata> nodes, string name, string what)
    {
        if (!nodes.TryGetValue(name, out var m))
            throw new OnnxRuntimeException($"ONNX model '{ModelPath}' has no {what} named '{name}' (it has: {string.Join(", ", nodes.Keys)}).") { SourceFile = ModelPath };
        if (!m.IsTensor || m.ElementDataType != Ort.Tensors.TensorElementType.Float)
            throw new OnnxRuntimeException($"ONNX model '{ModelPath}': {what} '{name}' is {(m.IsTensor ? m.ElementDataType.ToString() : m.OnnxValueType.ToString())}; expected a float32 tensor.") { SourceFile = ModelPath };
    }

    public string ModelPath { get; }

    /// <summary>
    /// Runs the model on a float32 tensor of shape <paramref name="shape"/> (C order); returns the output values and
    /// shape. Throws <see cref="OnnxRuntimeException"/> (a <see cref="SarKitInputException"/>) with ONNX Runtime's
    /// message when the input does not match the model (e.g. wrong channel count).
    /// </summary>
    public (float[] Values, long[] Shape) Run(ReadOnlySpan<float> input, ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (var d in shape) { if (d <= 0) throw new SarKitInputException($"ONNX input shape [{string.Join(", ", shape.ToArray())}]: dimensions must be positive."); count *= d; }
        if (count != input.Length) throw new SarKitInputException($"ONNX input: {input.Length} values for shape [{string.Join(", ", shape.ToArray())}] ({count} expected).");
        var copy = input.ToArray(); // ORT reads the buffer in place: a private copy
        try
        {
            using var value = Ort.OrtValue.CreateTensorValueFromMemory(copy, shape.ToArray());
            using var outputs = _session.Run(_run, _inputNames, [value], _outputNames);
            var y = outputs[0];
            var info = y.GetTensorTypeAndShape();
            if (info.ElementDataType != Ort.Tensors.TensorElementType.Float)
                throw new OnnxRuntimeException($"'{ModelPath}': output '{_outputNames[0]}' is {info.ElementDataType}; expected float32.") { SourceFile = ModelPath };
            return (y.GetTensorDataAsSpan<float>().ToArray(), info.Shape);
        }
        catch (Ort.OnnxRuntimeException e)
        {
            throw new OnnxRuntimeException($"Running '{ModelPath}' on input [{string.Join(", ", shape.ToArray())}]: {e.Message}", e) { SourceFile = ModelPath };
        }
    }

    public void Dispose()
    {
        _session.Dispose(); _run.Dispose();
    }
}
