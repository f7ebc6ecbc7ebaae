from django.urls import path

from accounts.api import addresses, recovery, views

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
    path("auth/email/verify/", addresses.EmailVerifyView.as_view(), name="email-verify"),
    path("auth/email/verify/resend/", addresses.EmailVerifyResendView.as_view(), name="email-verify-resend"),
    path("auth/email/change/", addresses.EmailChangeView.as_view(), name="email-change"),
    path("auth/users/", views.StaffUserListView.as_view(), name="users"),
    path("health/", views.HealthView.as_view(), name="health"),
]
