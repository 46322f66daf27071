import socket
import threading

import pytest


@pytest.fixture
def frozen_server():
    """A server that accepts connections and never answers, as a SIGSTOPped Valkey or
    PostgreSQL does (the kernel completes the handshake); yields its port."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                accepted.append(conn)
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    for conn in accepted:
        conn.close()
    listener.close()
