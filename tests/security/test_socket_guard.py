"""The test process itself cannot reach beyond this machine, whatever a test or the code under test tries."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import NonLoopbackConnectionRefused


def test_a_connection_to_a_public_address_is_refused_before_any_packet_is_sent():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(NonLoopbackConnectionRefused):
        sock.connect(("192.0.2.1", 80))


def test_loopback_stays_reachable():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
