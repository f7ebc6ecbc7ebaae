from django.urls import path

from accounts.api import (
    account,
    activity,
    addresses,
    config,
    federation,
    federation_logout,
    login_code,
    mfa,
    passkeys,
    password_rules,
    personal_tokens,
    recovery,
    trusted_devices,
    views,
)

app_name = "accounts"

urlpatterns = [
    path("auth/login/", views.LoginView.as_view(), name="login"),
    path("auth/login/code/", login_code.LoginCodeRequestView.as_view(), name="login-code"),
    path("auth/login/code/confirm/", login_code.LoginCodeConfirmView.as_view(), name="login-code-confirm"),
    path("auth/login/mfa/", mfa.LoginSecondStepView.as_view(), name="login-mfa"),
    path(
        "auth/login/mfa/passkey/options/", mfa.LoginSecondStepPasskeyOptionsView.as_view(),
        name="login-mfa-passkey-options",
    ),
    path(
        "auth/federation/<slug:slug>/backchannel-logout/", federation_logout.BackchannelLogoutView.as_view(),
        name="federation-backchannel-logout",
    ),
    path("auth/refresh/", views.RefreshView.as_view(), name="refresh"),
    path("auth/logout/", views.LogoutView.as_view(), name="logout"),
    path("auth/logout-all/", views.LogoutAllView.as_view(), name="logout-all"),
    path("auth/logout-others/", account.LogoutOthersView.as_view(), name="logout-others"),
    path("auth/me/", account.MeView.as_view(), name="me"),
    path("auth/export/", account.ExportView.as_view(), name="export"),
    path("auth/sessions/", views.SessionListView.as_view(), name="sessions"),
    path("auth/sessions/<uuid:session_id>/", views.SessionDetailView.as_view(), name="session-detail"),
    path("auth/trusted-devices/", trusted_devices.TrustedDeviceListView.as_view(), name="trusted-devices"),
    path(
        "auth/trusted-devices/<uuid:device_id>/", trusted_devices.TrustedDeviceDetailView.as_view(),
        name="trusted-device-detail",
    ),
    path("auth/activity/", activity.ActivityView.as_view(), name="activity"),
    path("auth/password/", views.PasswordChangeView.as_view(), name="password"),
    path("auth/password-rules/", password_rules.PasswordRulesView.as_view(), name="password-rules"),
    path("auth/config/", config.ConfigView.as_view(), name="config"),
    path("auth/reauthenticate/", views.ReauthenticateView.as_view(), name="reauthenticate"),
    path("auth/mfa/", mfa.MfaStatusView.as_view(), name="mfa"),
    path("auth/mfa/totp/", mfa.TotpView.as_view(), name="mfa-totp"),
    path("auth/mfa/totp/confirm/", mfa.TotpConfirmView.as_view(), name="mfa-totp-confirm"),
    path("auth/mfa/recovery-codes/", mfa.RecoveryCodesView.as_view(), name="mfa-recovery-codes"),
    path("auth/tokens/", personal_tokens.PersonalTokenListView.as_view(), name="personal-tokens"),
    path("auth/tokens/scopes/", personal_tokens.PersonalTokenScopesView.as_view(), name="personal-token-scopes"),
    path(
        "auth/tokens/<uuid:token_id>/", personal_tokens.PersonalTokenDetailView.as_view(), name="personal-token-detail"
    ),
    path("auth/register/", views.RegisterView.as_view(), name="register"),
    path("auth/password-reset/", recovery.PasswordResetRequestView.as_view(), name="password-reset"),
    path("auth/password-reset/confirm/", recovery.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path("auth/password-reset/account/", recovery.PasswordResetAccountView.as_view(), name="password-reset-account"),
    path("auth/email/verify/", addresses.EmailVerifyView.as_view(), name="email-verify"),
    path("auth/email/verify/resend/", addresses.EmailVerifyResendView.as_view(), name="email-verify-resend"),
    path("auth/email/change/", addresses.EmailChangeView.as_view(), name="email-change"),
    path("auth/users/", views.StaffUserListView.as_view(), name="users"),
    path("auth/introspect/", views.IntrospectView.as_view(), name="introspect"),
    path("health/", views.HealthView.as_view(), name="health"),
    # Passkeys (accounts/api/passkeys.py)
    path("auth/passkeys/", passkeys.PasskeyListView.as_view(), name="passkeys"),
    path("auth/passkeys/options/", passkeys.PasskeyRegistrationOptionsView.as_view(), name="passkey-options"),
    path("auth/passkeys/<uuid:passkey_id>/", passkeys.PasskeyDetailView.as_view(), name="passkey-detail"),
    path("auth/login/passkey/options/", passkeys.PasskeyLoginOptionsView.as_view(), name="passkey-login-options"),
    path("auth/login/passkey/", passkeys.PasskeyLoginView.as_view(), name="passkey-login"),
    # Sign-in with other identity providers (accounts/api/federation.py)
    path("auth/providers/", federation.ProviderListView.as_view(), name="providers"),
    path("auth/federation/<slug:slug>/start/", federation.FederationStartView.as_view(), name="federation-start"),
    path(
        "auth/federation/<slug:slug>/callback/", federation.FederationCallbackView.as_view(),
        name="federation-callback",
    ),
    path("auth/federation/second-step/", federation.FederationSecondStepView.as_view(), name="federation-second-step"),
    path("auth/identities/", federation.IdentityListView.as_view(), name="identities"),
    path("auth/identities/<int:identity_id>/", federation.IdentityDetailView.as_view(), name="identity-detail"),
    path(
        "auth/reauthenticate/passkey/options/", passkeys.PasskeyReauthenticationOptionsView.as_view(),
        name="passkey-reauthenticate-options",
    ),
]
