"""A throwaway RSA key and self-signed certificate standing in for Safaricom's, so that the
reversal SecurityCredential can be checked the way M-Pesa checks it."""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class SandboxKeys:
    private_key: rsa.RSAPrivateKey
    certificate_pem: str

    def decrypt_credential(self, security_credential: str) -> str:
        """The initiator password inside a SecurityCredential; raises ValueError if it is not
        one encrypted for this key."""
        encrypted = base64.b64decode(security_credential, validate=True)
        return self.private_key.decrypt(encrypted, padding.PKCS1v15()).decode()


@lru_cache(maxsize=1)
def sandbox_keys() -> SandboxKeys:
    """One key per process: generating RSA keys is slow enough to matter in a test run."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Duka M-Pesa sandbox")])
    now = datetime.datetime.now(tz=datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    return SandboxKeys(private_key=key, certificate_pem=pem)
