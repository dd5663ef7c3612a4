"""Shared test configuration: deterministic hypothesis runs."""

from hypothesis import HealthCheck, settings

# Derandomised: the same examples every run, so a failure is reproducible and CI never flakes.
settings.register_profile(
    "deterministic",
    derandomize=True,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile("deterministic")
