"""The GPU benchmark's ``--tiny`` mode runs on CPU, so the script cannot rot unnoticed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_extract_gpu.py"


@pytest.fixture(autouse=True)
def _keep_torch_threads():
    # the benchmark sets torch's thread count for its run; later tests keep the default
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_extract_gpu", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tiny_run_reports_tokens_per_second(bench, capsys):
    result = bench.main(["--tiny", "--threads", "1"])
    out = capsys.readouterr().out
    assert "recipes A/C2/C3" in out and "tokens/s" in out
    assert "fraction of peak: n/a" in out  # no bf16 peak for a CPU
    assert result["device"] == "cpu" and result["tokens"] > 0 and result["tokens_per_s"] > 0
    assert result["padded_tokens"] >= result["tokens"]
    assert result["fraction_of_peak"] is None


def test_peak_flag_gives_a_fraction(bench, capsys):
    result = bench.main(["--tiny", "--threads", "1", "--personas", "1", "--peak-tflops", "1"])
    assert "% of the 1 TFLOP/s bf16 dense peak" in capsys.readouterr().out
    assert result["fraction_of_peak"] == pytest.approx(result["tflops"])


def test_peak_table_and_default_layers(bench):
    assert bench.peak_tflops("NVIDIA H200") == 989.0
    assert bench.peak_tflops("NVIDIA H100 PCIe") == 756.0
    assert bench.peak_tflops("NVIDIA H100 80GB HBM3") == 989.0
    assert bench.peak_tflops("NVIDIA A100-SXM4-80GB") == 312.0
    assert bench.peak_tflops("NVIDIA GeForce RTX 4090") is None
    assert bench.default_layers(28) == [2, 7, 12, 17, 22, 27]
    assert bench.SHAPE_7B["hidden_size"] == 3584 and bench.SHAPE_7B["vocab_size"] == 152064
