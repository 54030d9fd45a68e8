"""The interval tests run once per incomplete-beta backend (SciPy when installed, and Python)."""

import pytest

from survey.stats import intervals


@pytest.fixture(params=intervals.BACKENDS)
def beta_backend(request):
    """Compute incomplete betas with each available backend in turn, then restore the default."""
    default = intervals.backend()
    intervals.use_backend(request.param)
    yield request.param
    intervals.use_backend(default)
