from __future__ import annotations

# Fixtures for the simulator's own tests. The simulator fixtures come from
# pytest_fixtures; a higher conftest may import the same names too (the session fixture
# still shares one process).

import pytest

from .client import Huawei, QingCloud, iam_token_request
from .fixture import Simulator
from .pytest_fixtures import sim, simulator_session  # noqa: F401  pylint: disable=unused-import
from .world import HW_ACCESS_KEY, HW_PROJECT_ID, HW_SECRET_KEY, QY_ACCESS_KEY, QY_SECRET_KEY, QY_ZONE


@pytest.fixture
def qy(sim: Simulator) -> QingCloud:  # pylint: disable=redefined-outer-name
    return QingCloud(sim.url, QY_ACCESS_KEY, QY_SECRET_KEY, QY_ZONE, ssl_context=sim.ssl_context)


@pytest.fixture
def hw(sim: Simulator) -> Huawei:  # pylint: disable=redefined-outer-name
    """A Huawei client signing with the permanent AK/SK."""
    return Huawei(sim.url, access_key=HW_ACCESS_KEY, secret_key=HW_SECRET_KEY, ssl_context=sim.ssl_context)


def token_for(sim: Simulator, user: str, password: str) -> str:  # pylint: disable=redefined-outer-name
    response = iam_token_request(sim.url, user, password, "demo", HW_PROJECT_ID, ssl_context=sim.ssl_context)
    assert response.status == 201, response.body
    return response.headers["x-subject-token"]


@pytest.fixture
def hw_viewer(sim: Simulator) -> Huawei:  # pylint: disable=redefined-outer-name
    """A Huawei client with the read-only user's IAM token."""
    return Huawei(sim.url, token=token_for(sim, "viewer", "viewer-password"), ssl_context=sim.ssl_context)
