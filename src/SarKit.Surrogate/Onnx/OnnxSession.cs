using System.Runtime.InteropServices;

namespace SarKit.Surrogate.Onnx;

/// <summary>
/// One ONNX model loaded in ONNX Runtime (CPU) with a single float32 input and a single float32 output, as exported
/// by surrogate/train.py (names "input" and "output", opset 13, dynamic batch/height/width). Not thread-safe.
/// </summary>
public sealed unsafe class OnnxSession : IDisposable
{
    private readonly OnnxRuntime _ort;
    private readonly OrtHandle _env, _options, _session, _memory;
    private readonly byte[] _inputName, _outputName;

    /// <param name="modelPath">.onnx file.</param>
    /// <param name="threads">Intra-op threads (2 on SarKit's machines).</param>
    /// <param name="inputName">Name of the model input.</param><param name="outputName">Name of the model output.</param>
    public OnnxSession(string modelPath, int threads = 2, string inputName = "input", string outputName = "output")
    {
        if (!File.Exists(modelPath)) throw new SarKitInputException($"ONNX model '{modelPath}' does not exist.") { SourceFile = modelPath };
        _ort = OnnxRuntime.Load();
        ModelPath = modelPath;
        _inputName = OnnxRuntime.Utf8Z(inputName); _outputName = OnnxRuntime.Utf8Z(outputName);
        void* p;
        fixed (byte* id = OnnxRuntime.Utf8Z("sarkit"))
        {
            _ort.Check(((delegate* unmanaged<int, byte*, void**, void*>)_ort.Fn(3))(3 /* ERROR */, id, &p), "CreateEnv");
            _env = new OrtHandle(p, 92);
        }
        _ort.Check(((delegate* unmanaged<void**, void*>)_ort.Fn(10))(&p), "CreateSessionOptions");
        _options = new OrtHandle(p, 100);
        _ort.Check(((delegate* unmanaged<void*, int, void*>)_ort.Fn(24))(_options.Ptr, Math.Max(1, threads)), "SetIntraOpNumThreads");
        fixed (byte* path = OnnxRuntime.Utf8Z(Path.GetFullPath(modelPath)))
        {
            try { _ort.Check(((delegate* unmanaged<void*, byte*, void*, void**, void*>)_ort.Fn(7))(_env.Ptr, path, _options.Ptr, &p), $"'{modelPath}'"); }
            catch (OnnxRuntimeException e) { throw new OnnxRuntimeException($"Cannot load ONNX model {e.Message}"); }
            _session = new OrtHandle(p, 95);
        }
        _ort.Check(((delegate* unmanaged<int, int, void**, void*>)_ort.Fn(69))(0 /* OrtDeviceAllocator */, 0 /* OrtMemTypeDefault */, &p), "CreateCpuMemoryInfo");
        _memory = new OrtHandle(p, 94);
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
        void* inVal = null, outVal = null, info = null;
        var copy = input.ToArray(); // ORT reads the buffer in place; pin a private copy
        try
        {
            fixed (float* data = copy)
            fixed (long* shp = shape)
            fixed (byte* inName = _inputName, outName = _outputName)
            {
                _ort.Check(((delegate* unmanaged<void*, void*, nuint, long*, nuint, int, void**, void*>)_ort.Fn(49))(
                    _memory.Ptr, data, (nuint)(copy.Length * sizeof(float)), shp, (nuint)shape.Length, 1 /* FLOAT */, &inVal), "CreateTensorWithDataAsOrtValue");
                byte* inNames = inName, outNames = outName;
                _ort.Check(((delegate* unmanaged<void*, void*, byte**, void**, nuint, byte**, nuint, void**, void*>)_ort.Fn(9))(
                    _session.Ptr, null, &inNames, &inVal, 1, &outNames, 1, &outVal), $"Running '{ModelPath}' on input [{string.Join(", ", shape.ToArray())}]");
            }
            _ort.Check(((delegate* unmanaged<void*, void**, void*>)_ort.Fn(65))(outVal, &info), "GetTensorTypeAndShape");
            nuint rank;
            _ort.Check(((delegate* unmanaged<void*, nuint*, void*>)_ort.Fn(61))(info, &rank), "GetDimensionsCount");
            var outShape = new long[(int)rank];
            fixed (long* os = outShape) _ort.Check(((delegate* unmanaged<void*, long*, nuint, void*>)_ort.Fn(62))(info, os, rank), "GetDimensions");
            long n = 1; foreach (var d in outShape) n *= d;
            void* outData;
            _ort.Check(((delegate* unmanaged<void*, void**, void*>)_ort.Fn(51))(outVal, &outData), "GetTensorMutableData");
            var result = new float[n];
            new ReadOnlySpan<float>(outData, (int)n).CopyTo(result);
            return (result, outShape);
        }
        finally
        {
            if (info is not null) ((delegate* unmanaged<void*, void>)_ort.Fn(99))(info);
            if (outVal is not null) ((delegate* unmanaged<void*, void>)_ort.Fn(96))(outVal);
            if (inVal is not null) ((delegate* unmanaged<void*, void>)_ort.Fn(96))(inVal);
            GC.KeepAlive(copy);
        }
    }

    public void Dispose()
    {
        _memory.Dispose(); _session.Dispose(); _options.Dispose(); _env.Dispose();
    }
}
