"""Which client a request counts under: X-Forwarded-For only from trusted proxies."""

from __future__ import annotations

import pytest

from booth.core.clients import TrustedProxies, client_ip, client_key

PROXIES = TrustedProxies.parse(["127.0.0.1", "10.0.0.0/8", "::1"])


@pytest.mark.parametrize(
    "peer, forwarded, expected",
    [
        ("127.0.0.1", "203.0.113.5", "203.0.113.5"),  # behind one trusted proxy
        ("127.0.0.1", "203.0.113.5, 10.1.2.3", "203.0.113.5"),  # two trusted hops
        ("127.0.0.1", "198.51.100.7, 203.0.113.5", "203.0.113.5"),  # a forged left part
        ("198.51.100.9", "203.0.113.5", "198.51.100.9"),  # an untrusted peer's header: ignored
        ("127.0.0.1", None, "127.0.0.1"),
        ("127.0.0.1", "not-an-ip", "127.0.0.1"),  # malformed: believe nothing
        ("::1", "2001:db8::1", "2001:db8::1"),
        ("127.0.0.1", "10.0.0.1, 10.0.0.2", "10.0.0.1"),  # only proxies: the furthest one
        (None, "203.0.113.5", "unknown"),
    ],
)
def test_the_client_ip(peer, forwarded, expected):
    assert client_ip(peer, forwarded, PROXIES) == expected


def test_no_proxies_means_the_header_is_never_believed():
    assert client_ip("127.0.0.1", "203.0.113.5", TrustedProxies()) == "127.0.0.1"


def test_a_bad_proxy_entry_is_named():
    with pytest.raises(ValueError, match="'10.0.0.300'"):
        TrustedProxies.parse(["10.0.0.300"])


def test_the_key_is_the_session_in_trusted_mode_and_the_ip_otherwise():
    assert client_key("203.0.113.5", "abc", per_session=True) == "session:abc"
    assert client_key("203.0.113.5", "abc", per_session=False) == "ip:203.0.113.5"
    assert client_key("203.0.113.5", None, per_session=True) == "ip:203.0.113.5"
