"""POST /api/v1/auth/token/ issues a bearer token for a user; DELETE revokes the token in use."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from crm_site.api.throttling import AuthRateThrottle
from crm_site.login_guard import ADDRESS_BLOCKED, address_blocked

from .. import second_factor, services
from ..models import UserToken


class SecondFactorRequired(AuthenticationFailed):
    """The password was right, but the account has a second factor and no code came with it."""

    default_code = "otp_required"


class TokenRequestSerializer(serializers.Serializer):
    """Username and password of a staff user, and the code of their code app when they set one up."""

    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=32, required=False, allow_blank=True,
        help_text=_("The 6-digit code of the user's code app (or a recovery code); required for a user who set up a "
                    "second factor."))


TokenResponse = inline_serializer(
    "TokenResponse",
    {
        "token": serializers.CharField(),
        "token_type": serializers.CharField(),
        "expires_at": serializers.DateTimeField(),
    },
)


class TokenView(APIView):
    """Issue (POST) or revoke (DELETE) a staff user's bearer token."""

    throttle_classes = [AuthRateThrottle]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(request=TokenRequestSerializer, responses={201: TokenResponse}, auth=[], summary="Issue a token")
    def post(self, request):
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        if address_blocked(request):
            raise Throttled(detail=str(ADDRESS_BLOCKED))
        # django-axes reads the request it is given: the underlying HttpRequest, where it marks a lockout.
        user = authenticate(request._request, **form.validated_data)
        if getattr(request._request, "axes_locked_out", False):
            raise Throttled(detail=_("The password was wrong too many times for this account: it is locked for a "
                                     "while. If it was not you, tell your administrator."))
        if user is None or not user.tenant_id:
            raise AuthenticationFailed(_("Wrong username or password."))
        self.check_second_factor(user, form.validated_data.get("otp", ""))
        token, row = services.user_token_issue(user=user)
        return Response(
            {"token": token, "token_type": "Bearer", "expires_at": row.expires_at},
            status=status.HTTP_201_CREATED,
        )

    def check_second_factor(self, user, code: str) -> None:
        """A user with a code app sends its code as `otp` (401 without or with a wrong one, 429 when locked); a
        role the tenant requires it for, without one yet, sets it up in the browser first (403)."""
        state = second_factor.login_state(user)
        if state == second_factor.ENROL:
            raise PermissionDenied(_("Your role requires a second factor: set up a code app on your account page in "
                                     "the browser first, then send its code as otp."))
        if state != second_factor.VERIFY:
            return
        if not code:
            raise SecondFactorRequired(_("This account has a second factor: send the 6-digit code of the code app "
                                         "as otp with the password."))
        check = second_factor.code_verify(user=user, code=code)
        if check.result is second_factor.CodeResult.LOCKED:
            raise Throttled(detail=_("Too many wrong codes: the code is refused for 15 minutes. If you lost your "
                                     "phone, ask your OEM administrator to reset your second factor."))
        if check.result is second_factor.CodeResult.WRONG:
            raise AuthenticationFailed(_("The second-factor code (otp) is wrong."), code="otp_invalid")

    @extend_schema(request=None, responses={204: None}, summary="Revoke the token used for this request")
    def delete(self, request):
        if not isinstance(request.auth, UserToken):
            raise PermissionDenied(_("Send the user token to revoke in the Authorization header."))
        services.user_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
