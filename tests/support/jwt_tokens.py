"""HS256 JSON Web Tokens for tests, made with Python's hmac, independently of the server's OpenSSL
code."""
import base64
import hashlib
import hmac
import json


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_token(claims, secret, alg="HS256"):
    """A token with these claims signed with `secret`; alg "none" gives an unsigned one."""
    header = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = b64url(json.dumps(claims).encode())
    signed = f"{header}.{payload}"
    if alg == "none":
        return signed + "."
    mac = hmac.new(secret.encode(), signed.encode(), hashlib.sha256).digest()
    return f"{signed}.{b64url(mac)}"
