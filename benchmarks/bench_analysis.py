"""Benchmark the analysis layer at #218 scale against the original per-cell style.

Sweep: 7 recipes × 275 personas × 28 layers × hidden 3,584 (fp32, with split halves), all
21 pairs: every metric, noise floor, verdicts and a 1,000-permutation Mantel p per cell.
Spread: 275 personas × 240 questions × 4 layers × 3,584 fp16 per-question arrays, 2 recipes.

The timed runs happen in a child process (so peak RSS is the analysis alone). The baseline
is the group's original style — one cell at a time, cosine matrices recomputed per pair,
scipy per call, a Python loop of permutations — timed on a subset in the same run and
extrapolated. A physical floor (FLOPs at measured GEMM speed + bytes at measured copy
bandwidth) is printed next to it.

    .venv/bin/python benchmarks/bench_analysis.py            # full (≈ 6 GB of temp files)
    .venv/bin/python benchmarks/bench_analysis.py --quick    # 4 layers, 40 questions
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

import numpy as np
from scipy import stats as sps

RECIPES = ["A", "B", "B*", "B*_no_last", "C1", "C2", "C3"]
P, H, B_PERM = 275, 3584, 1000


# ----------------------------------------------------------------------------- child runs


def child_sweep(data: Path, out: Path) -> dict[str, float]:
    import persona_atlas.analysis.sweep as sweep
    from persona_atlas.analysis.analyses import Planned, compute
    from persona_atlas.config import AnalysisConfig
    from persona_atlas.schema import save

    timed: dict[str, float] = {}
    original = sweep.run

    def run(*args, **kwargs):  # time the sweep inside the full `atlas analyze` path
        t = time.perf_counter()
        output = original(*args, **kwargs)
        timed["sweep_s"] = time.perf_counter() - t
        timed["cells"] = float(len(output.tables["cells"].rows))
        return output

    sweep.run = run
    config = AnalysisConfig(centroids=data, mantel_permutations=B_PERM, seed=0)
    t0 = time.perf_counter()
    save(out, compute(Planned(218, "bench", config, out)))  # sweep + hashing + validation
    timed["end_to_end_s"] = time.perf_counter() - t0
    timed["peak_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    return timed


def child_spread(data: Path) -> dict[str, float]:
    from persona_atlas.analysis.spread import question_spread

    personas = [f"persona_{i:03d}" for i in range(P)]
    t0 = time.perf_counter()
    a = question_spread(data / "per_question" / "A.safetensors", "A", personas)
    b = question_spread(data / "per_question" / "B.safetensors", "B", personas)
    rho = [sps.spearmanr(a.spread[:, i], b.spread[:, i])[0] for i in range(len(a.layers))]
    return {
        "spread_s": time.perf_counter() - t0,
        "rho0": float(rho[0]),
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
    }


def in_child(kind: str, data: Path) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", kind, "--data", str(data)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"child {kind} failed:\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# ----------------------------------------------------------------------------- baseline


def baseline_cell(x: np.ndarray, y: np.ndarray) -> None:
    """The original per-cell computation (numpy + scipy, nothing shared between cells)."""
    iu = np.triu_indices(x.shape[0], 1)
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    yn = y / np.linalg.norm(y, axis=1, keepdims=True)
    per = np.sum(xn * yn, axis=1)
    _ = per.min(), np.percentile(per, 5), per.mean(), per.max()
    cx, cy = xn @ xn.T, yn @ yn.T  # recomputed for every pair
    sps.pearsonr(cx[iu], cy[iu])
    sps.spearmanr(cx[iu], cy[iu])
    xc, yc = x - x.mean(0), y - y.mean(0)
    xc /= np.linalg.norm(xc, axis=1, keepdims=True)
    yc /= np.linalg.norm(yc, axis=1, keepdims=True)
    sps.pearsonr((xc @ xc.T)[iu], (yc @ yc.T)[iu])


def baseline_perm_cost(x: np.ndarray, y: np.ndarray, n: int) -> float:
    """Seconds per Mantel permutation in the loop style (permute, slice, scipy pearsonr)."""
    iu = np.triu_indices(x.shape[0], 1)
    mx = (x - x.mean(0)) / np.linalg.norm(x - x.mean(0), axis=1, keepdims=True)
    my = (y - y.mean(0)) / np.linalg.norm(y - y.mean(0), axis=1, keepdims=True)
    ax, ay = (mx @ mx.T)[iu], my @ my.T
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    for _ in range(n):
        p = rng.permutation(x.shape[0])
        sps.pearsonr(ax, ay[p][:, p][iu])
    return (time.perf_counter() - t) / n


def baseline_spread_question(v: np.ndarray) -> None:
    """Original per-question spread: all pairwise distances between unit persona vectors."""
    u = v.astype(np.float32)
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    d = ((u[:, None, :] - u[None, :, :]) ** 2).sum(-1)  # [P, P] via broadcasting
    _ = d.mean()


def median_time(fn, reps: int) -> float:
    """Median wall time of ``reps`` calls (robust to a busy machine)."""
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


# ----------------------------------------------------------------------------- machine floor


def gemm_rate(dtype: type[np.floating]) -> float:
    """GFLOP/s of a 2048² GEMM in ``dtype``."""
    a = np.random.default_rng(0).standard_normal((2048, 2048)).astype(dtype)
    a @ a
    t = time.perf_counter()
    for _ in range(3):
        a @ a
    return 3 * 2 * 2048**3 / (time.perf_counter() - t) / 1e9


def machine_speed() -> tuple[float, float, float]:
    """sgemm and dgemm GFLOP/s, copy GB/s."""
    gflops, dgflops = gemm_rate(np.float32), gemm_rate(np.float64)
    big = np.ones(100_000_000 // 4, dtype=np.float32)
    t = time.perf_counter()
    for _ in range(3):
        big.copy()
    gbps = 3 * 2 * big.nbytes / (time.perf_counter() - t) / 1e9
    return gflops, dgflops, gbps


# ----------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="4 layers and 40 questions")
    ap.add_argument("--workdir", type=Path, help="keep generated data here (reused if present)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child == "sweep":
        print(json.dumps(child_sweep(args.data, args.data / "result.json")))
        return
    if args.child == "spread":
        print(json.dumps(child_spread(args.data)))
        return

    from persona_atlas.analysis.synthetic import write_synthetic_extraction

    n_layers, n_q = (4, 40) if args.quick else (28, 240)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="atlas-bench-"))
    sweep_dir, spread_dir = work / f"sweep-{n_layers}", work / f"spread-{n_q}"
    t = time.perf_counter()
    if not (sweep_dir / "centroids" / "C3.safetensors").exists():
        write_synthetic_extraction(
            sweep_dir, recipes=RECIPES, n_personas=P, layers=list(range(n_layers)), hidden=H
        )
    if not (spread_dir / "per_question" / "B.safetensors").exists():
        write_synthetic_extraction(
            spread_dir, recipes=["A", "B"], n_personas=P, layers=[7, 14, 21, 27], hidden=H,
            n_questions=n_q, per_question_recipes=["A", "B"],
        )  # fmt: skip
    print(f"setup: synthetic data in {work} ({time.perf_counter() - t:.0f} s, not timed)")
    os.sync()

    cells = len(list(combinations(RECIPES, 2))) * n_layers
    sweep = in_child("sweep", sweep_dir)
    spread = in_child("spread", spread_dir)

    # baseline on a subset, extrapolated to the same work
    rng = np.random.default_rng(1)
    x, y = (rng.standard_normal((P, H), dtype=np.float32) + 3 for _ in range(2))
    per_cell = median_time(lambda: baseline_cell(x, y), 5)
    per_perm = baseline_perm_cost(x, y, 100)
    per_noise = per_cell  # the original ran the same code on the two halves
    base_sweep = cells * (per_cell + B_PERM * per_perm) + len(RECIPES) * n_layers * per_noise
    qv = rng.standard_normal((P, H), dtype=np.float32)
    base_spread = median_time(lambda: baseline_spread_question(qv), 5) * n_q * 4 * 2

    gflops, dgflops, gbps = machine_speed()
    n_pairs = P * (P - 1) // 2
    moving = len(RECIPES) - 1
    gram_flops = len(RECIPES) * n_layers * 3 * P * P * H  # one float64 Gram per tensor (syrk)
    mantel_flops = cells * B_PERM * n_pairs * 2  # float32 Mantel products, the pairs needed
    data_bytes = len(RECIPES) * 3 * P * n_layers * H * 4
    gather_bytes = moving * n_layers * B_PERM * n_pairs * 4 * 2  # gathered + re-read
    compute_s = gram_flops / (dgflops * 1e9) + mantel_flops / (gflops * 1e9)
    floor = compute_s + data_bytes / (gbps * 1e9)  # compute + read inputs once
    design_floor = floor + gather_bytes / (gbps * 1e9)  # + permuted rows written and re-read
    spread_bytes = 2 * P * n_q * 4 * H * 2
    spread_floor = spread_bytes / (gbps * 1e9) + 2 * 2 * P * n_q * 4 * H / (gflops * 1e9)

    scale = 28 / n_layers
    print(
        f"\nmachine: {os.cpu_count()} cores, sgemm {gflops:.0f} GFLOP/s, "
        f"dgemm {dgflops:.0f} GFLOP/s, copy {gbps:.1f} GB/s"
    )
    print(f"\nSWEEP  {len(RECIPES)} recipes × {P} personas × {n_layers} layers × H {H}: "
          f"{cells} cells, {B_PERM} Mantel permutations each")  # fmt: skip
    print(f"  persona-atlas sweep            {sweep['sweep_s']:8.1f} s")
    print(f"  + hashing, validation, write   {sweep['end_to_end_s']:8.1f} s  (atlas analyze)")
    print(
        f"  peak RSS                       {sweep['peak_rss_gb']:8.2f} GB (memory-mapped inputs included)"
    )
    print(
        f"  baseline (per-cell, extrapolated from {per_cell:.2f} s/cell + {per_perm * 1e3:.2f} ms/permutation)"
    )
    print(f"                                 {base_sweep:8.0f} s  = {base_sweep / 3600:.1f} h")
    print(f"  ratio baseline / persona-atlas {base_sweep / sweep['sweep_s']:8.0f} ×")
    print(
        f"  physical floor                 {floor:8.1f} s  ({gram_flops / 1e9:.0f} GFLOP of Grams at "
        f"the dgemm rate, {mantel_flops / 1e9:.0f} at the sgemm rate + {data_bytes / 1e9:.1f} GB "
        "of centroids read once); "
        f"at {sweep['sweep_s'] / floor:.1f} × floor"
    )
    print(
        f"  floor with materialised gathers{design_floor:8.1f} s  (+ {gather_bytes / 1e9:.0f} GB "
        f"of permuted rows written and re-read); at {sweep['sweep_s'] / design_floor:.1f} ×"
    )
    if n_layers != 28:
        print(
            f"  extrapolated to 28 layers      {sweep['sweep_s'] * scale:8.1f} s  (linear: an upper bound)"
        )
    print(f"\nSPREAD {P} personas × {n_q} questions × 4 layers × H {H} fp16, 2 recipes")
    print(
        f"  persona-atlas                  {spread['spread_s']:8.1f} s  (peak RSS {spread['peak_rss_gb']:.2f} GB)"
    )
    print(f"  baseline (pairwise distances per question, extrapolated) {base_spread:8.0f} s")
    print(f"  ratio                          {base_spread / spread['spread_s']:8.0f} ×")
    print(
        f"  physical floor                 {spread_floor:8.1f} s  ({spread_bytes / 1e9:.1f} GB read)"
    )
    if n_q != 240:
        print(f"  extrapolated to 240 questions  {spread['spread_s'] * 240 / n_q:8.1f} s")
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
