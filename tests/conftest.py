"""Shared pytest fixtures: the local cloud simulator, one per test session."""

from __future__ import annotations

from tests.simulator.pytest_fixtures import sim, simulator_session  # noqa: F401 pylint: disable=unused-import
