"""WebAuthn ceremonies through the `webauthn` package: platform authenticators only,
user verification required, the relying party id and origin taken from SUTURA_PUBLIC_URL."""

import json
from collections.abc import Sequence
from urllib.parse import urlsplit
from uuid import UUID

from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorAttachment,
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from domain.errors import NotAuthenticated
from domain.model import User
from domain.ports import Passkey

_REFUSED = "Fingerprint or face unlock did not succeed. Use your PIN."


class WebAuthnCeremony:
    def __init__(self, public_url: str) -> None:
        self.origin = public_url.rstrip("/")
        self.rp_id = urlsplit(self.origin).hostname or "localhost"

    def registration_options(
        self, user: User, device_id: UUID, existing: Sequence[str]
    ) -> tuple[dict[str, object], str]:
        options = generate_registration_options(
            rp_id=self.rp_id,
            rp_name="Sutura",
            user_name=user.email,
            user_id=device_id.bytes,
            user_display_name=user.display_name,
            authenticator_selection=AuthenticatorSelectionCriteria(
                authenticator_attachment=AuthenticatorAttachment.PLATFORM,
                resident_key=ResidentKeyRequirement.DISCOURAGED,
                user_verification=UserVerificationRequirement.REQUIRED,
            ),
            exclude_credentials=_descriptors(existing),
        )
        return json.loads(options_to_json(options)), bytes_to_base64url(options.challenge)

    def verify_registration(self, credential: dict[str, object], challenge: str) -> Passkey:
        try:
            verified = verify_registration_response(
                credential=credential,
                expected_challenge=base64url_to_bytes(challenge),
                expected_rp_id=self.rp_id,
                expected_origin=self.origin,
                require_user_verification=True,
            )
        except (WebAuthnException, ValueError, KeyError, TypeError):
            raise NotAuthenticated(_REFUSED) from None
        return Passkey(
            bytes_to_base64url(verified.credential_id),
            verified.credential_public_key,
            verified.sign_count,
        )

    def authentication_options(
        self, credential_ids: Sequence[str]
    ) -> tuple[dict[str, object], str]:
        options = generate_authentication_options(
            rp_id=self.rp_id,
            allow_credentials=_descriptors(credential_ids),
            user_verification=UserVerificationRequirement.REQUIRED,
        )
        return json.loads(options_to_json(options)), bytes_to_base64url(options.challenge)

    def verify_authentication(
        self, credential: dict[str, object], challenge: str, passkey: Passkey
    ) -> int:
        try:
            verified = verify_authentication_response(
                credential=credential,
                expected_challenge=base64url_to_bytes(challenge),
                expected_rp_id=self.rp_id,
                expected_origin=self.origin,
                credential_public_key=passkey.public_key,
                credential_current_sign_count=passkey.sign_count,
                require_user_verification=True,
            )
        except (WebAuthnException, ValueError, KeyError, TypeError):
            raise NotAuthenticated(_REFUSED) from None
        return int(verified.new_sign_count)


def _descriptors(credential_ids: Sequence[str]) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in credential_ids]
