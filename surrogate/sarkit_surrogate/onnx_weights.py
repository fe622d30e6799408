"""Weights of a shipped surrogate ONNX file back into the PyTorch UNet (fine-tuning: train3d.py --init-from).

No onnx package is needed: the file is read with a minimal protobuf reader (ModelProto.graph = 7; GraphProto.node = 1,
initializer = 5; NodeProto.input = 1, op_type = 4; TensorProto.dims = 1, data_type = 2, float_data = 4, name = 8,
raw_data = 9). torch.onnx.export in eval mode folds each BatchNorm into the convolution before it (W' = W g/sqrt(v+eps),
b' = beta - g m/sqrt(v+eps)), so the original BN parameters cannot be recovered; the folded network is reproduced
exactly by loading W' into the convolution and setting the BN to the identity-plus-bias (weight 1, bias b', running
mean 0, running var 1 - eps). Fine-tuning then keeps those BN layers in eval mode (frozen statistics, trainable
affine), the usual practice for fine-tuning with small batches; the model's function at step 0 is the shipped one.
"""
import struct

import numpy as np


def _varint(buf, i):
    v = s = 0
    while True:
        b = buf[i]; i += 1
        v |= (b & 0x7F) << s; s += 7
        if b < 0x80:
            return v, i


def _fields(buf):
    """(field number, wire type, value) of one protobuf message; value = int for varint/fixed, bytes for length-delimited."""
    i, n = 0, len(buf)
    while i < n:
        key, i = _varint(buf, i)
        f, w = key >> 3, key & 7
        if w == 0:
            v, i = _varint(buf, i)
        elif w == 1:
            v = buf[i:i + 8]; i += 8
        elif w == 2:
            ln, i = _varint(buf, i)
            v = buf[i:i + ln]; i += ln
        elif w == 5:
            v = buf[i:i + 4]; i += 4
        else:
            raise ValueError(f"unsupported protobuf wire type {w}")
        yield f, w, v


def _tensor(buf):
    dims, dtype, name, raw, floats = [], None, None, None, []
    for f, w, v in _fields(buf):
        if f == 1:
            if w == 2:   # packed
                j = 0
                while j < len(v):
                    d, j = _varint(v, j); dims.append(d)
            else:
                dims.append(v)
        elif f == 2:
            dtype = v
        elif f == 4:
            floats.extend(struct.unpack(f"<{len(v) // 4}f", v) if w == 2 else struct.unpack("<f", v))
        elif f == 8:
            name = bytes(v).decode()
        elif f == 9:
            raw = bytes(v)
    if dtype != 1:
        return name, None   # not float32 (e.g. int64 shape constants)
    arr = np.frombuffer(raw, dtype="<f4").copy() if raw is not None else np.asarray(floats, dtype=np.float32)
    return name, arr.reshape(dims)


def read_onnx(path):
    """(initializers {name: float32 array}, nodes [(op_type, [inputs])] in graph order)."""
    with open(path, "rb") as f:
        buf = memoryview(f.read())
    graph = next(v for f, w, v in _fields(buf) if f == 7)
    inits, nodes = {}, []
    for f, w, v in _fields(graph):
        if f == 5:
            name, arr = _tensor(v)
            if arr is not None:
                inits[name] = arr
        elif f == 1:
            ins, op = [], None
            for g, _, u in _fields(v):
                if g == 1:
                    ins.append(bytes(u).decode())
                elif g == 4:
                    op = bytes(u).decode()
            nodes.append((op, ins))
    return inits, nodes


def _convs_in_forward_order(gen):
    """[(conv module, BatchNorm following it or None)] in the order UNet.forward runs them."""
    from torch import nn
    out = []

    def block(b):
        mods = list(b)
        for j, m in enumerate(mods):
            if isinstance(m, nn.Conv2d):
                out.append((m, mods[j + 1] if j + 1 < len(mods) and isinstance(mods[j + 1], nn.BatchNorm2d) else None))
    for b in gen.enc:
        block(b)
    block(gen.bottom)
    for up, dec in zip(gen.up, gen.dec):
        out.append((up, None))
        block(dec)
    out.append((gen.head, None))
    return out


def load_into(gen, path):
    """Copies the weights of the ONNX file at `path` into `gen` (models.UNet of the same architecture); raises
    ValueError naming the file and the first mismatch. Returns the number of convolutions loaded."""
    import torch
    inits, nodes = read_onnx(path)
    convs = [ins for op, ins in nodes if op in ("Conv", "ConvTranspose")]
    mods = _convs_in_forward_order(gen)
    if len(convs) != len(mods):
        raise ValueError(f"'{path}': {len(convs)} convolutions in the ONNX graph, the model has {len(mods)} (other architecture: check base/levels)")
    with torch.no_grad():
        for k, (ins, (conv, bn)) in enumerate(zip(convs, mods)):
            w = inits.get(ins[1])
            if w is None or tuple(w.shape) != tuple(conv.weight.shape):
                raise ValueError(f"'{path}': convolution {k} weight {None if w is None else w.shape} does not fit {tuple(conv.weight.shape)}")
            b = inits.get(ins[2]) if len(ins) > 2 else None
            if b is None:
                b = np.zeros(w.shape[1] if isinstance(conv, torch.nn.ConvTranspose2d) else w.shape[0], np.float32)
            conv.weight.copy_(torch.from_numpy(w))
            if bn is not None:
                if conv.bias is not None:
                    conv.bias.zero_()
                bn.weight.fill_(1.0); bn.bias.copy_(torch.from_numpy(b))
                bn.running_mean.zero_(); bn.running_var.fill_(1.0 - bn.eps)
            elif conv.bias is not None:
                conv.bias.copy_(torch.from_numpy(b))
            else:
                raise ValueError(f"'{path}': convolution {k} has a bias in ONNX but none in the model")
    return len(convs)


def freeze_batchnorm(gen):
    """BatchNorm layers to eval mode (running statistics frozen; weight and bias stay trainable). Call after gen.train()."""
    from torch import nn
    for m in gen.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eval()
