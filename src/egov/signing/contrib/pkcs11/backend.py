"""Keys on a PKCS#11 token or HSM (USB tokens of Vietnamese CAs, network HSMs, SoftHSM2 in tests and CI).

``backend_config``: ``{"token_label": "...", "key_label": "..."}`` or ``"key_id": "<hex>"``, optionally
``"module"`` (defaults to ``EGOV_SIGNING_PKCS11_MODULE``). The PIN is asked from the user at signing time,
used to open one session and never stored. The key signs inside the token."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from pyhanko.sign.signers.pdf_cms import Signer

from egov.core.errors import DomainError
from egov.signing.base import SignerBackend, with_pre_encoded_attributes
from egov.signing.certificates import certificate_chain, load_certificate

if TYPE_CHECKING:
    from egov.signing.models import SigningCertificate


@cache
def _library(module: str) -> Any:
    import pkcs11

    return pkcs11.lib(module)


class Pkcs11Backend(SignerBackend):
    name = "pkcs11"
    label = "Thiết bị ký số (token/HSM) qua PKCS#11"

    def describe(self, certificate: SigningCertificate) -> str:
        return f"{self.label}: {certificate.backend_config.get('token_label', '')}"

    @contextmanager
    def open(self, certificate: SigningCertificate, *, pin: str | None) -> Iterator[Signer]:
        import pkcs11
        from pkcs11 import exceptions as p11
        from pyhanko.sign.pkcs11 import PKCS11Signer

        config = certificate.backend_config or {}
        token_label = config.get("token_label", "")
        if not pin:
            raise DomainError("Cần nhập mã PIN của thiết bị ký số (token) để ký.")
        try:
            library = _library(config.get("module") or settings.EGOV_SIGNING_PKCS11_MODULE)
        except (RuntimeError, OSError, p11.PKCS11Error) as exc:
            raise DomainError(
                "Không nạp được trình điều khiển thiết bị ký số (PKCS#11) trên máy chủ."
            ) from exc
        try:
            token = library.get_token(token_label=token_label)
        except (p11.NoSuchToken, p11.TokenNotPresent, p11.TokenNotRecognised):
            raise DomainError(
                f"Không tìm thấy thiết bị ký số “{token_label}”: hãy cắm thiết bị (token) rồi thử lại. "
                "Tài liệu chưa được ký."
            ) from None
        except p11.MultipleTokensReturned:
            raise DomainError(f"Có nhiều thiết bị ký số cùng tên “{token_label}”.") from None
        try:
            session = token.open(user_pin=pin)
        except p11.PinIncorrect:
            raise DomainError("Mã PIN không đúng. Tài liệu chưa được ký.") from None
        except p11.PinLocked:
            raise DomainError("Thiết bị ký số đã bị khóa do nhập sai mã PIN quá số lần cho phép.") from None
        except (p11.PinLenRange, p11.PinInvalid):
            raise DomainError("Mã PIN không hợp lệ. Tài liệu chưa được ký.") from None
        except (p11.TokenNotPresent, p11.DeviceRemoved):
            raise DomainError("Thiết bị ký số đã bị rút ra. Tài liệu chưa được ký.") from None
        try:
            key_id = config.get("key_id")
            yield with_pre_encoded_attributes(
                PKCS11Signer(
                    session,
                    signing_cert=load_certificate(certificate.certificate_pem),
                    ca_chain=certificate_chain(certificate),
                    key_label=config.get("key_label") or None,
                    key_id=bytes.fromhex(key_id) if key_id else None,
                )
            )
        except (pkcs11.NoSuchKey, p11.DeviceRemoved, p11.TokenNotPresent) as exc:
            raise DomainError(
                "Không dùng được khóa bí mật trên thiết bị ký số. Tài liệu chưa được ký."
            ) from exc
        finally:
            session.close()
