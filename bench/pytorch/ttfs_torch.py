#!/usr/bin/env python3
"""PyTorch CPU implementation of the ttfs model (SPEC sections 1-3), the side-by-side reference for
the trainer's speed and accuracy (issue 3). Not part of the product: `ttfs train` is.

The model is the SPEC's, written the way a PyTorch user would write it: per layer, sort each sample's
input spike times, take cumulative sums of the sorted weights and weight*time products over the
spikes that exist (the batch's largest spike count, so images with more lit pixels cost more), find
the first segment whose end-of-segment potential reaches V_th (a segment ends after a whole group of
equal times), and solve for the crossing. Autograd supplies the exact spike-time gradients through a
surrogate whose derivative is (t_j - t_i) / max(S_i, min_slope) and w_ij / max(S_i, min_slope).

Objective and settings follow `trainer` (SPEC section 2): cross-entropy on softmax(-t/tau) with silent
outputs at T_max without gradient, the hinge max(0, V_th - v_target^nr(T_max)) on a silent target,
M-SSR / F-SSR per hidden layer (R_MP is not implemented here), Adam (0.9, 0.999, 1e-8), learning rate
decayed by `lr_decay` per epoch, batch mean, W ~ Normal(mu / n_in, sigma^2 / n_in).

    python3 bench/pytorch/ttfs_torch.py train --config configs/mnist-baseline.toml [--limit N] [--epochs E]
    python3 bench/pytorch/ttfs_torch.py eval --model M.safetensors --data DIR   (f64 forward, for cross-checks)

Needs Debian's python3-torch (CPU-only PyTorch 1.13) and python3-numpy, run with /usr/bin/python3.
"""

import argparse
import gzip
import json
import os
import struct
import sys
import time
import tomllib

import numpy as np
import torch

V_TH = 1.0


# ---------------------------------------------------------------- data


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    magic = struct.unpack(">I", raw[:4])[0]
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, raw[4 : 4 + 4 * ndim])
    return np.frombuffer(raw[4 + 4 * ndim :], dtype=np.uint8).reshape(dims)


def find(folder, stem):
    for name in (stem, stem + ".gz"):
        p = os.path.join(folder, name)
        if os.path.exists(p):
            return p
    sys.exit(f"error: {folder}: no {stem}[.gz]")


def load_split(folder, split):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(find(folder, f"{prefix}-images-idx3-ubyte"))
    y = read_idx(find(folder, f"{prefix}-labels-idx1-ubyte"))
    return x.reshape(len(x), -1), y.astype(np.int64)


def encode(pixels, t_in, dtype):
    """t = t_in (1 - x/255); x = 0 sends no spike (inf)."""
    x = torch.from_numpy(pixels.astype(np.float64) / 255.0)
    t = t_in * (1.0 - x)
    t = torch.where(x > 0, t, torch.full_like(t, float("inf")))
    return t.to(dtype)


# ---------------------------------------------------------------- model


def layer_forward(t_in, w, t_max, min_slope):
    """Spike times of one layer. t_in: (B, n_in), inf = no spike; w: (n_out, n_in).
    Returns (t, fired): t is the spike time with the capped surrogate gradient where fired."""
    batch, _ = t_in.shape
    n_out = w.shape[0]
    ts, idx = torch.sort(t_in, dim=1)
    n_sp = int(torch.isfinite(ts).sum(1).max())
    if n_sp == 0:
        return torch.zeros(batch, n_out, dtype=t_in.dtype), torch.zeros(batch, n_out, dtype=torch.bool)
    ts, idx = ts[:, :n_sp], idx[:, :n_sp]
    finite = torch.isfinite(ts)
    tz = torch.where(finite, ts, torch.zeros_like(ts))
    ws = w.t()[idx] * finite.unsqueeze(-1)  # (B, n_sp, n_out), padding rows zero
    cum_s = ws.cumsum(1)
    cum_wt = (ws * tz.unsqueeze(-1)).cumsum(1)
    # right end of the segment after spike k: the next spike's time, T_max after the last one
    end = torch.cat([tz[:, 1:].detach(), torch.zeros(batch, 1, dtype=ts.dtype)], 1)
    has_next = torch.cat([finite[:, 1:], torch.zeros(batch, 1, dtype=torch.bool)], 1)
    end = torch.where(has_next, end, torch.full_like(end, t_max)).clamp(max=t_max)
    # a segment starts only after a whole group of equal times
    valid = finite & (end > tz.detach())
    v_end = cum_s.detach() * end.unsqueeze(-1) - cum_wt.detach()
    cross = valid.unsqueeze(-1) & (v_end >= V_TH)
    fired = cross.any(1)
    k = cross.to(torch.int8).argmax(1, keepdim=True)  # first True
    s = cum_s.gather(1, k).squeeze(1)
    wt = cum_wt.gather(1, k).squeeze(1)
    s = torch.where(fired, s, torch.ones_like(s))
    wt = torch.where(fired, wt, torch.zeros_like(wt))
    t_exact = ((V_TH + wt) / s).detach()
    seg_lo = tz.detach().unsqueeze(-1).expand(-1, -1, n_out).gather(1, k).squeeze(1)
    seg_hi = end.unsqueeze(-1).expand(-1, -1, n_out).gather(1, k).squeeze(1)
    t_exact = torch.maximum(torch.minimum(t_exact, seg_hi), seg_lo)
    t_exact = torch.where(fired, t_exact, torch.zeros_like(t_exact))
    # surrogate: d/dw_j = (t_j - t) / max(S, min_slope), d/dt_j = w_j / max(S, min_slope) on the causal set
    g = (wt - t_exact * s) / s.detach().clamp(min=min_slope)
    return t_exact + g - g.detach(), fired


def v_nr_end(t_in, w, t_max):
    """Potential without reset at T_max: sum_{t_j < T_max} w_ij (T_max - t_j), shape (B, n_out)."""
    ramp = torch.where(torch.isfinite(t_in), (t_max - t_in).clamp(min=0), torch.zeros_like(t_in))
    return ramp @ w.t()


def forward(weights, t0, cfg):
    """Returns output times (silent = T_max, no gradient), output fired mask, per-hidden-layer lists."""
    t_max, min_slope = cfg["t_max"], cfg["min_slope"]
    t = t0
    hidden = []  # (input times, output times, fired) per hidden layer
    for l, w in enumerate(weights):
        out, fired = layer_forward(t, w, t_max, min_slope)
        if l + 1 < len(weights):
            nxt = torch.where(fired, out, torch.full_like(out, float("inf")))
            hidden.append((t, out, fired, w))
            t = nxt
        else:
            t_out = torch.where(fired, out, torch.full_like(out, t_max))
            return t_out, fired, hidden, t


def objective(weights, t0, y, cfg):
    t_out, fired, hidden, t_last = forward(weights, t0, cfg)
    batch = len(y)
    logits = -t_out / cfg["tau"]
    loss = torch.nn.functional.cross_entropy(logits, y)
    silent_target = ~fired.gather(1, y[:, None]).squeeze(1)
    if silent_target.any():
        v = v_nr_end(t_last, weights[-1], cfg["t_max"]).gather(1, y[:, None]).squeeze(1)
        hinge = torch.relu(V_TH - v) * silent_target
        loss = loss + cfg["silent_target_weight"] * hinge.sum() / batch
    kind = cfg["reg"]
    for l, (t_in, out, f, w) in enumerate(hidden):
        gamma = cfg["gamma"][l] if l < len(cfg["gamma"]) else 0.0
        if gamma == 0.0 or kind == "none":
            continue
        if kind == "mssr":
            r = torch.where(f, cfg["t_max"] - out, torch.zeros_like(out)).sum()
        elif kind == "fssr":
            r = torch.relu(v_nr_end(t_in, w, cfg["t_max"]) - V_TH).sum()
        else:
            sys.exit(f"error: regularizer {kind!r} is not implemented in the PyTorch reference")
        loss = loss + gamma * r / batch
    pred = decide(t_out, fired)
    return loss, pred, [h[2] for h in hidden]


def decide(t_out, fired):
    """First output spike, ties to the lower index; -1 when no output fires."""
    t = torch.where(fired, t_out.detach(), torch.full_like(t_out, float("inf")))
    pred = t.argmin(1)
    return torch.where(fired.any(1), pred, torch.full_like(pred, -1))


# ---------------------------------------------------------------- safetensors (ttfs-float)


def load_model(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    body = raw[8 + n :]
    layers = []
    for l in range(1, len(header) + 1):
        h = header[f"layer{l}.weight"]
        a, b = h["data_offsets"]
        layers.append(np.frombuffer(body[a:b], dtype="<f4").reshape(h["shape"]))
    return layers, float(meta["t_in"]), float(meta["t_max"])


def save_model(path, layers, t_in, t_max, note):
    header, body, off = {}, b"", 0
    for l, w in enumerate(layers, 1):
        data = np.ascontiguousarray(w, dtype="<f4").tobytes()
        header[f"layer{l}.weight"] = {"dtype": "F32", "shape": list(w.shape), "data_offsets": [off, off + len(data)]}
        body += data
        off += len(data)
    header["__metadata__"] = {"format": "ttfs-float", "format_version": "1", "t_in": repr(float(t_in)), "t_max": repr(float(t_max)), "pytorch.note": note}
    js = json.dumps(header, separators=(",", ":")).encode()
    js += b" " * (-len(js) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(js)) + js + body)
    os.replace(tmp, path)


# ---------------------------------------------------------------- commands


def evaluate(weights, x, y, cfg, dtype, chunk=500):
    correct, spikes = 0, None
    with torch.no_grad():
        for a in range(0, len(y), chunk):
            t0 = encode(x[a : a + chunk], cfg["t_in"], dtype)
            t_out, fired, hidden, _ = forward(weights, t0, cfg)
            pred = decide(t_out, fired)
            correct += int((pred == torch.from_numpy(y[a : a + chunk])).sum())
            s = [int(h[2].sum()) for h in hidden]
            spikes = s if spikes is None else [p + q for p, q in zip(spikes, s)]
    rates = [s / (len(y) * w.shape[0]) for s, w in zip(spikes or [], weights)]
    return correct / len(y), rates


def cmd_eval(args):
    layers, t_in, t_max = load_model(args.model)
    cfg = {"t_in": t_in, "t_max": t_max, "min_slope": 0.1}
    dtype = torch.float64 if args.f64 else torch.float32
    weights = [torch.from_numpy(w.astype(np.float64)).to(dtype) for w in layers]
    x, y = load_split(args.data, "test")
    if args.limit:
        x, y = x[: args.limit], y[: args.limit]
    acc, rates = evaluate(weights, x, y, cfg, dtype)
    print(json.dumps({"samples": len(y), "accuracy": acc, "hidden_rates": rates}))


def cmd_train(args):
    torch.set_num_threads(args.threads)
    with open(args.config, "rb") as f:
        c = tomllib.load(f)
    net, tr, reg = c["network"], c["train"], c.get("regularizer", {})
    cfg = {
        "t_in": net["t_in"], "t_max": net["t_max"], "tau": tr["tau"], "min_slope": tr["min_slope"],
        "silent_target_weight": tr.get("silent_target_weight", 1.0),
        "reg": reg.get("kind", "none"), "gamma": reg.get("gamma", []),
    }
    data = args.data or c["data"]["path"]
    x, y = load_split(data, "train")
    limit = args.limit or c["data"].get("train_limit")
    if limit:
        x, y = x[:limit], y[:limit]
    xt, yt = load_split(data, "test")
    if c["data"].get("test_limit"):
        xt, yt = xt[: c["data"]["test_limit"]], yt[: c["data"]["test_limit"]]
    seed = args.seed if args.seed is not None else tr["seed"]
    torch.manual_seed(seed)
    dtype = torch.float64 if args.f64 else torch.float32
    sizes = net["sizes"]
    weights = []
    for l in range(1, len(sizes)):
        n_in = sizes[l - 1]
        w = torch.randn(sizes[l], n_in, dtype=dtype) * (net["init_sigma"] / n_in**0.5) + net["init_mu"][l - 1] / n_in
        weights.append(w.requires_grad_())
    opt = torch.optim.Adam(weights, lr=tr["lr"], betas=(0.9, 0.999), eps=1e-8)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=tr["lr_decay"])
    epochs = args.epochs or tr["epochs"]
    batch = tr["batch"]
    gen = torch.Generator().manual_seed(seed)
    rows = []
    for epoch in range(1, epochs + 1):
        order = torch.randperm(len(y), generator=gen).numpy()
        t_start = time.perf_counter()
        loss_sum, correct, seen = 0.0, 0, 0
        for a in range(0, len(y), batch):
            idx = order[a : a + batch]
            t0 = encode(x[idx], cfg["t_in"], dtype)
            yb = torch.from_numpy(y[idx])
            loss, pred, _ = objective(weights, t0, yb, cfg)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += float(loss) * len(idx)
            correct += int((pred == yb).sum())
            seen += len(idx)
            if args.progress and (a // batch) % 20 == 0:
                el = time.perf_counter() - t_start
                print(f"\r  epoch {epoch}: {seen}/{len(y)} {seen / el:.0f} samples/s loss {loss_sum / seen:.4f}", end="", file=sys.stderr)
        secs = time.perf_counter() - t_start
        sched.step()
        if args.progress:
            print(file=sys.stderr)
        row = {"epoch": epoch, "train_samples": seen, "train_seconds": secs, "samples_per_s": seen / secs,
               "loss": loss_sum / seen, "train_accuracy": correct / seen}
        if not args.no_test:
            acc, rates = evaluate([w.detach() for w in weights], xt, yt, cfg, dtype)
            row["test_accuracy"] = acc
            row["hidden_rates"] = rates
            row["mean_hidden_rate"] = sum(rates) / len(rates)
        print(json.dumps(row), flush=True)
        rows.append(row)
    if args.out:
        save_model(args.out, [w.detach().numpy() for w in weights], cfg["t_in"], cfg["t_max"], f"trained by bench/pytorch/ttfs_torch.py from {args.config}, seed {seed}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help="train a model from a ttfs TOML config, one JSON line per epoch")
    t.add_argument("--config", required=True)
    t.add_argument("--data", help="data folder (default: the config's)")
    t.add_argument("--limit", type=int, help="first N training samples only")
    t.add_argument("--epochs", type=int)
    t.add_argument("--seed", type=int)
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--no-test", action="store_true", help="skip the test-set evaluation")
    t.add_argument("--progress", action="store_true")
    t.add_argument("--f64", action="store_true", help="float64 weights and arithmetic (default float32)")
    t.add_argument("--out", help="write the trained weights as a ttfs-float safetensors model")
    e = sub.add_parser("eval", help="accuracy and hidden firing rates of a ttfs-float model")
    e.add_argument("--model", required=True)
    e.add_argument("--data", required=True)
    e.add_argument("--limit", type=int)
    e.add_argument("--f64", action="store_true", help="float64 forward (default float32)")
    args = p.parse_args()
    {"train": cmd_train, "eval": cmd_eval}[args.cmd](args)


if __name__ == "__main__":
    main()
