"""Every committed result verifies under other BLAS kernels and thread counts (`make check`
green on any x86-64 CPU, docs/analysis.md "Reproducible across CPUs").

OpenBLAS picks its kernel from the CPU; ``OPENBLAS_CORETYPE`` forces one. Each run is a
subprocess with its own kernel and thread count, which reports the kernel that actually
ran (threadpoolctl) and a float32 GEMM fingerprint: the test fails if the kernels did not
really differ, so it cannot pass vacuously.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Kernels by the CPU flags they need, most capable first; Prescott (SSE3) runs on every
#: x86-64 CPU.
KERNELS = (
    ("SkylakeX", {"avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"}),
    ("Haswell", {"avx2", "fma"}),
    ("Sandybridge", {"avx"}),
    ("Prescott", set()),
)

PROBE = """
import hashlib, json, sys
import numpy as np
from threadpoolctl import threadpool_info
from persona_atlas.cli import main
a = np.random.default_rng(0).standard_normal((64, 4096), dtype=np.float32)
fingerprint = hashlib.sha256((a @ a.T).tobytes()).hexdigest()[:16]
kernels = sorted({i.get("architecture", "?") for i in threadpool_info() if i["internal_api"] == "openblas"})
code = main(["analyze", "--verify"])
print(json.dumps({"kernels": kernels, "fingerprint": fingerprint, "code": code}))
"""


def _cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return set()
    line = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
    return set(line.split(":", 1)[-1].split())


def _choices() -> list[tuple[str, int]]:
    """(kernel, threads): a kernel the environment pins (some machines need one) or the
    most capable one this CPU runs, with 1 and 2 threads, and the generic Prescott kernel."""
    flags = _cpu_flags()
    best = os.environ.get("OPENBLAS_CORETYPE") or next(
        name for name, needs in KERNELS if needs <= flags
    )
    runs = [(best, 1), (best, 2)]
    if best.lower() != "prescott":
        runs.append(("Prescott", 2))
    return runs


def _blas_is_openblas() -> bool:
    import numpy  # noqa: F401 (loads the BLAS that threadpoolctl inspects)
    from threadpoolctl import threadpool_info

    return any(i["internal_api"] == "openblas" for i in threadpool_info())


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="x86-64 kernels")
def test_committed_results_verify_under_other_blas_kernels_and_thread_counts() -> None:
    if not _blas_is_openblas():
        pytest.skip("numpy is not linked to OpenBLAS: no kernel to choose")
    runs = {}
    for kernel, threads in _choices():
        env = dict(os.environ, OPENBLAS_CORETYPE=kernel)
        env.update(OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
        runs[(kernel, threads)] = subprocess.Popen(
            [sys.executable, "-c", PROBE], cwd=ROOT, env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
    reports = {}
    for key, proc in runs.items():
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"{key}: exit {proc.returncode}\n{err[-3000:]}"
        reports[key] = json.loads(out.strip().splitlines()[-1])
        assert reports[key]["code"] == 0, f"{key}: `atlas analyze --verify` failed:\n{err[-3000:]}"
    kernels = {tuple(r["kernels"]) for r in reports.values()}
    fingerprints = {r["fingerprint"] for r in reports.values()}
    if len(kernels) < 2:
        pytest.skip(f"this OpenBLAS ignores OPENBLAS_CORETYPE (always {kernels})")
    assert len(fingerprints) >= 2, f"every kernel gave the same float32 GEMM: {reports}"
