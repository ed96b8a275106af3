"""SC004: a local HTTPS server on 127.0.0.1 with self-made certificates (expired, expiring, wrong name...)."""

from __future__ import annotations

import ipaddress
import ssl
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from xunjian.config import load_settings
from xunjian.probes import TlsInfo, hostname_matches, probe_outcome, probe_site, record_probe, tls_findings
from xunjian.storage.db import session_scope
from xunjian.storage.models import Finding, Site

NOW = datetime.now(timezone.utc)


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_cert(cn, not_before, not_after, ca=None, dns=(), ips=("127.0.0.1",), is_ca=False):
    key = ec.generate_private_key(ec.SECP256R1())
    issuer_name, issuer_key = (ca[0].subject, ca[1]) if ca else (_name(cn), key)
    builder = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True))
    names = [x509.DNSName(d) for d in dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(issuer_key, hashes.SHA256()), key


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    cert, key = make_cert("xunjian test CA", NOW - timedelta(days=10), NOW + timedelta(days=3650), is_ca=True, ips=())
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key, str(path)


class _Home(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        body = "<html><body>示例市人民政府门户网站 政务公开 政务服务</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def https_server(tmp_path):
    servers = []

    def start(cert, key):
        cert_file, key_file = tmp_path / f"c{len(servers)}.pem", tmp_path / f"k{len(servers)}.pem"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert_file, key_file)
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Home)
        server.daemon_threads = True
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"https://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def cfg():
    return load_settings(env={"XUNJIAN_ALLOW_NETWORKS": "127.0.0.0/8"})


def probe(url, cafile=None):
    site = SimpleNamespace(id="s1", url=url, status="online")
    return probe_site(site, cfg(), cafile=cafile)


def kinds(result):
    return sorted(f.key for f in tls_findings(result.tls, NOW, 30))


@pytest.mark.rule_case("SC004", fires=True)
def test_expired_self_made_certificate(https_server):
    url = https_server(*make_cert("127.0.0.1", NOW - timedelta(days=400), NOW - timedelta(days=2)))
    result = probe(url)
    assert probe_outcome(result, 5) == "up", result  # the page still opens: SC004, not AV001
    assert result.tls.not_after < NOW
    expired, untrusted = tls_findings(result.tls, NOW, 30)  # self-made: expired and not trusted
    assert expired.rule == "SC004" and expired.key == "expired" and "过期" in expired.message
    assert untrusted.key == "untrusted" and expired.page == url


def test_expired_certificate_of_a_trusted_ca(https_server, ca):
    url = https_server(*make_cert("127.0.0.1", NOW - timedelta(days=400), NOW - timedelta(days=2), ca=ca[:2]))
    result = probe(url, cafile=ca[2])
    assert "expired" in result.tls.verify_error
    assert kinds(result) == ["expired"]  # the chain error is the expiry itself: reported once


def test_expiring_within_30_days(https_server, ca):
    url = https_server(*make_cert("127.0.0.1", NOW - timedelta(days=80), NOW + timedelta(days=10), ca=ca[:2]))
    result = probe(url, cafile=ca[2])
    assert kinds(result) == ["expiring"]
    assert tls_findings(result.tls, NOW, 5) == []  # outside a 5-day warning window


def test_hostname_mismatch(https_server, ca):
    url = https_server(*make_cert("www.other.gov.cn", NOW - timedelta(days=1), NOW + timedelta(days=90), ca=ca[:2],
                                  dns=("www.other.gov.cn",), ips=()))
    assert kinds(probe(url, cafile=ca[2])) == ["hostname"]


def test_untrusted_self_signed(https_server):
    url = https_server(*make_cert("127.0.0.1", NOW - timedelta(days=1), NOW + timedelta(days=90)))
    [f] = tls_findings(probe(url).tls, NOW, 30)
    assert f.key == "untrusted" and "不受信任" in f.message


@pytest.mark.rule_case("SC004", silent=True)
def test_valid_certificate_is_silent(https_server, ca):
    url = https_server(*make_cert("127.0.0.1", NOW - timedelta(days=1), NOW + timedelta(days=90), ca=ca[:2]))
    result = probe(url, cafile=ca[2])
    assert result.tls.verify_error is None and kinds(result) == []


def test_renewed_certificate_resolves_the_stored_finding(https_server, sqlite_url):
    expired = https_server(*make_cert("127.0.0.1", NOW - timedelta(days=400), NOW - timedelta(days=2)))
    with session_scope(sqlite_url) as s:
        s.add(Site(id="s1", name="示例", url=expired))
    with session_scope(sqlite_url) as s:
        record_probe(s, s.get(Site, "s1"), probe(expired), cfg())
    with session_scope(sqlite_url) as s:
        rows = list(s.scalars(select(Finding)))
        assert {(r.rule, r.source, r.status) for r in rows} == {("SC004", "probe", "open")} and len(rows) == 2
    renewed = SimpleNamespace(**{**vars(probe(expired)), "tls": TlsInfo(
        host="127.0.0.1", url=expired, not_after=NOW + timedelta(days=90), ip_names=["127.0.0.1"])})
    with session_scope(sqlite_url) as s:
        record_probe(s, s.get(Site, "s1"), renewed, cfg())
    with session_scope(sqlite_url) as s:
        assert [r.status for r in s.scalars(select(Finding))] == ["resolved", "resolved"]


@pytest.mark.parametrize(("host", "dns", "ok"), [
    ("www.example.gov.cn", ["www.example.gov.cn"], True),
    ("www.example.gov.cn", ["*.example.gov.cn"], True),
    ("a.b.example.gov.cn", ["*.example.gov.cn"], False),
    ("example.gov.cn", ["*.example.gov.cn"], False),
    ("WWW.Example.gov.cn.", ["www.example.gov.cn"], True),
    ("www.example.gov.cn", ["www.example.com"], False),
])
def test_hostname_matching(host, dns, ok):
    assert hostname_matches(host, dns, []) is ok


def test_unreadable_certificate_is_reported():
    [f] = tls_findings(TlsInfo(host="x.gov.cn", error="SSLError: handshake failure"), NOW, 30)
    assert f.key == "unreadable"
