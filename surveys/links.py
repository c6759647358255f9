"""Single-use survey links: a token that names the tenant and the invitation, carries its random nonce, and is signed.

The signature (HMAC with SECRET_KEY) refuses a tampered or made-up token before the database is asked; the
tenant in it lets the page enter that tenant's row-level security before it reads the invitation; the nonce must
match the invitation's row, and the row's status makes the link usable once.
"""

from __future__ import annotations

from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

SALT = "surveys.link"
_signer = signing.Signer(salt=SALT, sep=".")


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def token_for(invitation) -> str:
    """The link token of an invitation."""
    return _signer.sign(f"{_b36(invitation.tenant_id)}.{_b36(invitation.pk)}.{invitation.nonce}")


def token_read(token: str) -> tuple[int, int, str] | None:
    """(tenant id, invitation id, nonce) of a genuine token; None for a tampered or malformed one."""
    if not token or len(token) > 120:
        return None
    try:
        tenant, invitation, nonce = _signer.unsign(token).split(".")
        return int(tenant, 36), int(invitation, 36), nonce
    except (signing.BadSignature, ValueError):
        return None


def link_path(invitation) -> str:
    """The page path of an invitation's link."""
    return reverse("surveys:link", args=[token_for(invitation)])


def link_url(invitation, request=None) -> str:
    """The full link (on the host the staff page was served from)."""
    path = link_path(invitation)
    return request.build_absolute_uri(path) if request is not None else path


def sms_text(invitation, url: str) -> str:
    """The SMS wording handed to the OEM's SMS gateway (outside this product)."""
    about = _("your recent purchase") if invitation.subject_kind == "sale" else _("your recent service visit")
    return _("[%(dealer)s] Thank you for choosing us. Please take one minute to rate %(about)s: %(url)s "
             "(valid until %(until)s). Reply T to opt out.") % {
        "dealer": invitation.dealer.name, "about": about, "url": url,
        "until": invitation.expires_at.date().isoformat()}
