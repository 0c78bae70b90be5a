"""The production server under concurrent load: a short run of the clients bench/load.py uses."""

import pytest

from tests.support.load import PAGE_LOAD, hammer, production_server

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def test_waitress_serves_50_concurrent_clients_without_an_error():
    with production_server() as port:
        result = hammer(port, clients=50, seconds=5)
    assert result["errors"] == 0, result["first_errors"]
    # Every client got through its share of the page's files, big ones included.
    assert result["requests"] >= 2 * len(PAGE_LOAD), result
