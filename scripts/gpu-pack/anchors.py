#!/usr/bin/env python3
"""PyTorch / onnxruntime anchors for the convkit GPU run (scripts/gpu-pack/run.sh).

    python3 anchors.py --json anchors.json [--quick] [--budget-s 120]

The same workloads as the bench (NCHW float32, 'same' padding as CONVENTIONS.md centres it: the
window of output o starts at o*s - floor((k-1)/2), so 7x7/2 on 224 pads 3 before and 2 after),
plus the two large ones of issue 17 (conv 3x3 N32 C64 56x56 K64: 7.40e9 FLOP = 3.7e9 multiply-adds,
and gemm 2048^3). For each workload, whatever this Python has:

  torch_cuda   fp32 with TF32 off (matmul and cuDNN): `with_cpu_ms` (the op plus .cpu() of every
               output, what a convkit read-back pays), `device_ms` (CUDA events around the op),
               `queued10_ms` (10 ops queued, one synchronize, per op);
  torch_cpu    fp32 with torch's default intra-op threads (every core), output in host memory;
  ort_cpu      onnxruntime CPU execution provider, intra_op_num_threads = cores (one-node models
               built with the `onnx` package; skipped with the reason when it is missing);
  ort_cuda     the same models on onnxruntime's CUDA execution provider when it is available.

Every result is first checked against float64 on the CPU (torch, or numpy for onnxruntime when
torch is absent): max |got - want| <= 1e-3 * max(1, max |want|) (float32 sums of up to 576 terms
plus cuDNN's algorithm choice; a wrong kernel is off by O(1)). Times are medians of at least 7
timed runs after 3 warm-ups, continued until 0.3 s of timed runs (0 in --quick). Anything missing
(no torch, no CUDA, no onnx) is reported with the reason, never an error: the JSON is always written.
"""
import argparse
import json
import math
import os
import platform
import statistics
import sys
import time

WORKLOADS = [
    # id, kind, shape
    ("conv-A", "conv", dict(N=8, C=32, H=64, W=64, K=64, R=3, S=3, stride=1)),
    ("conv-B", "conv", dict(N=64, C=1, H=28, W=28, K=32, R=5, S=5, stride=1)),
    ("conv-C", "conv", dict(N=1, C=3, H=224, W=224, K=64, R=7, S=7, stride=2)),
    ("conv-D", "conv", dict(N=8, C=64, H=32, W=32, K=128, R=1, S=1, stride=1)),
    ("conv-N32-56", "conv", dict(N=32, C=64, H=56, W=56, K=64, R=3, S=3, stride=1)),
    ("gemm", "gemm", dict(M=1024, N=1024, K=1024)),
    ("gemm-2048", "gemm", dict(M=2048, N=2048, K=2048)),
    ("maxpool", "maxpool", dict(N=8, C=64, H=64, W=64, k=2, stride=2)),
]
QUICK = [
    ("conv-A", "conv", dict(N=2, C=3, H=9, W=8, K=4, R=3, S=3, stride=1)),
    ("conv-C", "conv", dict(N=1, C=3, H=15, W=13, K=4, R=7, S=7, stride=2)),
    ("gemm", "gemm", dict(M=17, N=13, K=9)),
    ("maxpool", "maxpool", dict(N=2, C=3, H=6, W=8, k=2, stride=2)),
]


def same_axis(n, k, s):
    out = (n - 1) // s + 1
    before = (k - 1) // 2
    after = max(0, (out - 1) * s + k - n - before)
    return out, before, after


def geometry(kind, sh):
    if kind == "conv":
        oh, pt, pb = same_axis(sh["H"], sh["R"], sh["stride"])
        ow, pl, pr = same_axis(sh["W"], sh["S"], sh["stride"])
        flops = 2 * sh["N"] * sh["K"] * oh * ow * sh["C"] * sh["R"] * sh["S"]
        title = f"conv2d {sh['R']}x{sh['S']}{'/' + str(sh['stride']) if sh['stride'] > 1 else ''} N={sh['N']} C={sh['C']} {sh['H']}x{sh['W']} K={sh['K']}"
        return dict(pads=(pl, pr, pt, pb), out=(oh, ow), flops=flops, bytes=0, unit="GFLOP/s", title=title)
    if kind == "gemm":
        return dict(flops=2 * sh["M"] * sh["N"] * sh["K"], bytes=0, unit="GFLOP/s", title=f"GEMM {sh['M']}x{sh['N']}x{sh['K']}")
    oh, ow = sh["H"] // sh["stride"], sh["W"] // sh["stride"]
    n_in = sh["N"] * sh["C"] * sh["H"] * sh["W"]
    n_out = sh["N"] * sh["C"] * oh * ow
    # the bench's maxpool bytes: input read + values written (indices are extra work, not counted)
    return dict(flops=0, bytes=4 * (n_in + n_out), unit="GB/s", title=f"maxpool {sh['k']}x{sh['k']}/{sh['stride']} N={sh['N']} C={sh['C']} {sh['H']}x{sh['W']} (+ indices)")


def rate(g, ms):
    if ms is None or ms <= 0:
        return None
    return (g["flops"] if g["unit"] == "GFLOP/s" else g["bytes"]) / (ms * 1e-3) / 1e9


def timed(fn, quick, sync=None, min_s=0.3):
    """Median and min ms of fn() over >= 7 runs after 3 warm-ups (and until min_s of timed runs)."""
    for _ in range(1 if quick else 3):
        fn()
    if sync:
        sync()
    times = []
    t_start = time.perf_counter()
    while len(times) < (3 if quick else 7) or (not quick and time.perf_counter() - t_start < min_s):
        t0 = time.perf_counter()
        fn()
        if sync:
            sync()
        times.append((time.perf_counter() - t0) * 1e3)
        if len(times) >= 1000:
            break
    return dict(median_ms=statistics.median(times), min_ms=min(times), runs=len(times))


def check(got, want):
    """got/want: lists of float64 arrays (numpy). Returns dict(ok, max_abs_err, bound)."""
    worst = 0.0
    bound = 0.0
    for g, w in zip(got, want):
        scale = max(1.0, float(abs(w).max()) if w.size else 1.0)
        b = 1e-3 * scale
        e = float(abs(g - w).max()) if w.size else 0.0
        worst = max(worst, e)
        bound = max(bound, b)
        if not (e <= b):
            return dict(ok=False, max_abs_err=e, bound=b)
    return dict(ok=True, max_abs_err=worst, bound=bound)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--budget-s", type=float, default=120.0, help="stop starting new workloads after this many seconds")
    a = ap.parse_args()
    t_begin = time.perf_counter()
    report = dict(tool="convkit gpu-pack anchors.py", quick=a.quick, python=platform.python_version(), cores=os.cpu_count(), skipped={}, notes=[], workloads=[])

    def write():
        with open(a.json, "w") as f:
            json.dump(report, f, indent=1)

    try:
        import numpy as np
    except Exception as e:  # noqa: BLE001
        np = None
        report["skipped"]["numpy"] = f"import numpy failed: {e}"
    torch = None
    try:
        import torch  # noqa: F811
        import torch.nn.functional as F
    except Exception as e:  # noqa: BLE001
        report["skipped"]["torch"] = f"import torch failed: {type(e).__name__}: {e}"
    cuda = False
    if torch is not None:
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        cuda = torch.cuda.is_available()
        report["torch"] = dict(
            version=torch.__version__,
            cuda_runtime=torch.version.cuda,
            cudnn=torch.backends.cudnn.version() if cuda else None,
            device=torch.cuda.get_device_name(0) if cuda else None,
            tf32=dict(matmul=torch.backends.cuda.matmul.allow_tf32, cudnn=torch.backends.cudnn.allow_tf32),
            cudnn_benchmark=torch.backends.cudnn.benchmark,
            cpu_threads=torch.get_num_threads(),
        )
        if not cuda:
            report["skipped"]["torch_cuda"] = "torch.cuda.is_available() is False"
    ort = onnx = None
    try:
        import onnxruntime as ort  # noqa: F811
        report["onnxruntime"] = dict(version=ort.__version__, providers=ort.get_available_providers())
        try:
            import onnx  # noqa: F811
            from onnx import TensorProto, helper
        except Exception as e:  # noqa: BLE001
            report["skipped"]["ort"] = f"onnxruntime is here but the onnx package (to build the one-node models) is not: {e}"
            ort = None
    except Exception as e:  # noqa: BLE001
        report["skipped"]["ort"] = f"import onnxruntime failed: {type(e).__name__}: {e}"
    if ort is not None and np is None:
        report["skipped"]["ort"] = "onnxruntime needs numpy, which is missing"
        ort = None
    if torch is None and ort is None:
        report["notes"].append("nothing to measure: neither torch nor onnxruntime (+onnx) is importable here")
        write()
        return 0

    rng = np.random.default_rng(1) if np is not None else None
    for wid, kind, sh in QUICK if a.quick else WORKLOADS:
        if time.perf_counter() - t_begin > a.budget_s:
            report["notes"].append(f"budget of {a.budget_s} s spent: {wid} and later workloads not run")
            break
        g = geometry(kind, sh)
        entry = dict(id=wid, kind=kind, shape=sh, title=g["title"], flops=g["flops"], bytes=g["bytes"], unit=g["unit"])
        # inputs: seeded uniform [-1, 1), float32 (numpy when available, else torch's generator)
        if kind == "conv":
            shapes = [(sh["N"], sh["C"], sh["H"], sh["W"]), (sh["K"], sh["C"], sh["R"], sh["S"]), (sh["K"],)]
        elif kind == "gemm":
            shapes = [(sh["M"], sh["K"]), (sh["K"], sh["N"])]
        else:
            shapes = [(sh["N"], sh["C"], sh["H"], sh["W"])]
        if np is not None:
            host = [(rng.random(s, dtype=np.float32) * 2 - 1) for s in shapes]
        else:
            gen = torch.Generator().manual_seed(1)
            host = [(torch.rand(s, generator=gen) * 2 - 1).numpy() for s in shapes]

        def t_op(xs, dtype=None):
            if kind == "conv":
                x, w, b = xs
                pl, pr, pt, pb = g["pads"]
                return (F.conv2d(F.pad(x, (pl, pr, pt, pb)), w, b, stride=sh["stride"]),)
            if kind == "gemm":
                return (xs[0] @ xs[1],)
            return F.max_pool2d(xs[0], sh["k"], sh["stride"], return_indices=True)

        want = None
        if torch is not None:
            try:
                ref = t_op([torch.from_numpy(h).double() for h in host])
                want = [r.numpy().astype("float64") if r.dtype != torch.int64 else r.numpy() for r in ref]
                entry["reference"] = "torch float64 on the CPU"
            except Exception as e:  # noqa: BLE001
                entry["reference_error"] = f"{type(e).__name__}: {e}"
        elif np is not None and kind == "gemm":
            want = [host[0].astype("float64") @ host[1].astype("float64")]
            entry["reference"] = "numpy float64"

        def verdict(outs):
            if want is None:
                return dict(ok=None, reason="no float64 reference here")
            vals = [o.astype("float64") for o in outs]
            c = check(vals[:1], want[:1])
            if kind == "maxpool" and len(outs) > 1:
                # indices: torch's flat index per (n, c) plane, the same map convkit uses (h*W + w)
                c["indices_equal"] = bool((outs[1] == want[1]).all())
                c["ok"] = c["ok"] and c["indices_equal"]
            return c

        if torch is not None and cuda:
            try:
                dev = [torch.from_numpy(h).cuda() for h in host]
                outs = t_op(dev)
                c = verdict([o.cpu().numpy() for o in outs])
                sync = torch.cuda.synchronize
                with_cpu = timed(lambda: [o.cpu() for o in t_op(dev)], a.quick)
                # on device: CUDA events around the op
                ev = []

                def on_dev():
                    s0, s1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                    s0.record()
                    t_op(dev)
                    s1.record()
                    ev.append((s0, s1))

                timed(on_dev, a.quick, sync=sync)
                dev_times = [s0.elapsed_time(s1) for s0, s1 in ev[(1 if a.quick else 3):]]
                q = timed(lambda: [t_op(dev) for _ in range(10)], a.quick, sync=sync)
                entry["torch_cuda"] = dict(
                    check=c,
                    with_cpu_ms=with_cpu["median_ms"],
                    with_cpu_min_ms=with_cpu["min_ms"],
                    device_ms=statistics.median(dev_times),
                    device_min_ms=min(dev_times),
                    queued10_ms=q["median_ms"] / 10,
                    runs=with_cpu["runs"],
                    rate_with_cpu=rate(g, with_cpu["median_ms"]),
                    rate_device=rate(g, statistics.median(dev_times)),
                    rate_queued10=rate(g, q["median_ms"] / 10),
                )
                del dev, outs
                torch.cuda.empty_cache()
            except Exception as e:  # noqa: BLE001
                entry["torch_cuda"] = dict(error=f"{type(e).__name__}: {e}")
        if torch is not None:
            try:
                cpu_in = [torch.from_numpy(h) for h in host]
                c = verdict([o.numpy() for o in t_op(cpu_in)])
                tc = timed(lambda: t_op(cpu_in), a.quick)
                entry["torch_cpu"] = dict(check=c, ms=tc["median_ms"], min_ms=tc["min_ms"], runs=tc["runs"], threads=torch.get_num_threads(), rate=rate(g, tc["median_ms"]))
            except Exception as e:  # noqa: BLE001
                entry["torch_cpu"] = dict(error=f"{type(e).__name__}: {e}")
        if ort is not None:
            for ep, key in (("CPUExecutionProvider", "ort_cpu"), ("CUDAExecutionProvider", "ort_cuda")):
                if ep not in ort.get_available_providers():
                    if key == "ort_cuda":
                        entry[key] = dict(skipped=f"{ep} not in onnxruntime.get_available_providers()")
                    continue
                try:
                    model, feeds = onnx_model(onnx, helper, TensorProto, kind, sh, g, host)
                    so = ort.SessionOptions()
                    so.intra_op_num_threads = os.cpu_count() or 1
                    sess = ort.InferenceSession(model.SerializeToString(), so, providers=[ep])
                    outs = sess.run(None, feeds)
                    c = verdict(outs)
                    to = timed(lambda: sess.run(None, feeds), a.quick)
                    entry[key] = dict(check=c, ms=to["median_ms"], min_ms=to["min_ms"], runs=to["runs"], threads=so.intra_op_num_threads, rate=rate(g, to["median_ms"]))
                except Exception as e:  # noqa: BLE001
                    entry[key] = dict(error=f"{type(e).__name__}: {e}")
        report["workloads"].append(entry)
        write()
    report["seconds"] = time.perf_counter() - t_begin
    write()
    return 0


def onnx_model(onnx, helper, TP, kind, sh, g, host):
    """A one-node ONNX model (opset 13) for the workload and its input feeds."""
    f32 = TP.FLOAT
    if kind == "conv":
        pl, pr, pt, pb = g["pads"]
        oh, ow = g["out"]
        node = helper.make_node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[sh["R"], sh["S"]], strides=[sh["stride"]] * 2, pads=[pt, pl, pb, pr])
        ins = [helper.make_tensor_value_info(n, f32, list(h.shape)) for n, h in zip(["x", "w", "b"], host)]
        outs = [helper.make_tensor_value_info("y", f32, [sh["N"], sh["K"], oh, ow])]
        feeds = dict(x=host[0], w=host[1], b=host[2])
    elif kind == "gemm":
        node = helper.make_node("MatMul", ["a", "b"], ["y"])
        ins = [helper.make_tensor_value_info("a", f32, [sh["M"], sh["K"]]), helper.make_tensor_value_info("b", f32, [sh["K"], sh["N"]])]
        outs = [helper.make_tensor_value_info("y", f32, [sh["M"], sh["N"]])]
        feeds = dict(a=host[0], b=host[1])
    else:
        oh, ow = sh["H"] // sh["stride"], sh["W"] // sh["stride"]
        # values only: ONNX MaxPool's Indices output is a flat index over the whole tensor, not per plane
        node = helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[sh["k"]] * 2, strides=[sh["stride"]] * 2)
        ins = [helper.make_tensor_value_info("x", f32, list(host[0].shape))]
        outs = [helper.make_tensor_value_info("y", f32, [sh["N"], sh["C"], oh, ow])]
        feeds = dict(x=host[0])
    graph = helper.make_graph([node], kind, ins, outs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = min(model.ir_version, 8)
    return model, feeds


if __name__ == "__main__":
    sys.exit(main())
