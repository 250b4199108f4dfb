"""One datagram to the daemon on 127.0.0.1:123 from a chosen local address, and its answer."""
import socket

READVAR = bytes([0x16, 0x02, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])  # mode 6, all system variables


def ask(payload, source="127.0.0.1", timeout=0.5, port=123):
    """The reply's bytes, or None when nothing came back within `timeout` seconds."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((source, 0))
    s.settimeout(timeout)
    s.sendto(payload, ("127.0.0.1", port))
    try:
        return s.recvfrom(2048)[0]
    except socket.timeout:
        return None
    finally:
        s.close()
