from __future__ import annotations

# Local simulator of the QingCloud EHPC and Huawei Cloud (IAM, CCE, ModelArts) APIs used by
# the hpcops.clusters collection's tests. Start it with `python3 tests/simulator/server.py`
# or, from pytest, with fixture.running_simulator() / the fixtures in pytest_fixtures.py.
