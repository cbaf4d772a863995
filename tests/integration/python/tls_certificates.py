"""Throwaway certificates for the TLS tests, made with the `openssl` command (not a test file)."""
import hashlib
import ssl
import subprocess

import pytest


def make_certificate(folder, name):
    """A self-signed P-256 certificate for localhost and 127.0.0.1 in folder; returns
    (cert path, key path, SHA-256 fingerprint of its DER)."""
    cert = folder / f"{name}.crt"
    key = folder / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={name}",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True, timeout=30)
    return cert, key, fingerprint_of_file(cert)


def fingerprint_of_file(cert):
    der = ssl.PEM_cert_to_DER_cert(cert.read_text())
    return hashlib.sha256(der).hexdigest()


def client_context(*certs):
    """A client context that trusts exactly these certificates (and checks the host name)."""
    context = ssl.create_default_context()
    for cert in certs:
        context.load_verify_locations(cafile=str(cert))
    return context


def any_certificate():
    """A client context that takes whatever certificate the server shows."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def tls_1_1_only():
    """A client context that offers TLS 1.0 and 1.1 and nothing newer; skips the test when this
    Python's OpenSSL cannot offer them at all."""
    context = any_certificate()
    context.set_ciphers("ALL:@SECLEVEL=0")
    try:
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    except (ValueError, ssl.SSLError):
        pytest.skip("this Python's OpenSSL cannot offer TLS 1.1 at all")
    return context
