from django.urls import path

from accounts.api import passkeys, recovery, views

app_name = "accounts"

urlpatterns = [
    path("auth/login/", views.LoginView.as_view(), name="login"),
    path("auth/refresh/", views.RefreshView.as_view(), name="refresh"),
    path("auth/logout/", views.LogoutView.as_view(), name="logout"),
    path("auth/logout-all/", views.LogoutAllView.as_view(), name="logout-all"),
    path("auth/me/", views.MeView.as_view(), name="me"),
    path("auth/sessions/", views.SessionListView.as_view(), name="sessions"),
    path("auth/sessions/<uuid:session_id>/", views.SessionDetailView.as_view(), name="session-detail"),
    path("auth/password/", views.PasswordChangeView.as_view(), name="password"),
    path("auth/reauthenticate/", views.ReauthenticateView.as_view(), name="reauthenticate"),
    path("auth/register/", views.RegisterView.as_view(), name="register"),
    path("auth/password-reset/", recovery.PasswordResetRequestView.as_view(), name="password-reset"),
    path("auth/password-reset/confirm/", recovery.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path("auth/users/", views.StaffUserListView.as_view(), name="users"),
    path("health/", views.HealthView.as_view(), name="health"),
    # Passkeys (accounts/api/passkeys.py)
    path("auth/passkeys/", passkeys.PasskeyListView.as_view(), name="passkeys"),
    path("auth/passkeys/options/", passkeys.PasskeyRegistrationOptionsView.as_view(), name="passkey-options"),
    path("auth/passkeys/<uuid:passkey_id>/", passkeys.PasskeyDetailView.as_view(), name="passkey-detail"),
    path("auth/login/passkey/options/", passkeys.PasskeyLoginOptionsView.as_view(), name="passkey-login-options"),
    path("auth/login/passkey/", passkeys.PasskeyLoginView.as_view(), name="passkey-login"),
    path(
        "auth/reauthenticate/passkey/options/", passkeys.PasskeyReauthenticationOptionsView.as_view(),
        name="passkey-reauthenticate-options",
    ),
]
