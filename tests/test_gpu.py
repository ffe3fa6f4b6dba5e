"""Both model families run forward and backward on a CUDA GPU (skipped without one)."""

from __future__ import annotations

import pytest
import torch

from eqgnn.batch import collate
from eqgnn.config import config_from_options
from eqgnn.models import build_model

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU")


@pytest.mark.parametrize("preset", ["schnet", "dimenet", "tfn", "mace"])
def test_forward_and_backward_on_cuda(butane, alanine, preset):
    model = build_model(config_from_options(preset, group="SO3"), device="cuda")
    batch = collate([butane, alanine], graph="radius:5", device="cuda")
    out = model(batch)
    assert out.embedding.is_cuda and torch.isfinite(out.embedding).all()
    out.embedding.square().sum().backward()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)


def test_a_job_through_the_ray_backend_runs_on_cuda_in_float64():
    """A GPU worker (here: this machine's GPU, one Ray task asking for it) runs the
    protocol in float64 on cuda and says so in its result."""
    ray = pytest.importorskip("ray", reason="Ray is not installed")
    from eqgnn.jobs import InProcessRunner, RayRunner
    from eqgnn.specs import distinguish_spec

    spec = distinguish_spec({"case": "kchain-4"}, config_from_options("schnet"), seeds=2,
                            epochs=5)
    ray.init(num_cpus=2, num_gpus=1, include_dashboard=False, log_to_driver=False)
    try:
        runner = RayRunner()
        assert runner.describe()["gpus"] == 1 and runner.describe()["device"] == "cuda"
        result = runner.run(spec)
    finally:
        ray.shutdown()
    assert result["device"].startswith("cuda")
    assert result["config"]["dtype"] == "float64"
    assert result["verdict"] == InProcessRunner().run(spec)["verdict"]
