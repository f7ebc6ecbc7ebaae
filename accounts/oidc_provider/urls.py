from django.urls import path

from accounts.oidc_provider import views

app_name = "oauth"

urlpatterns = [
    path("authorize/", views.authorize, name="authorize"),
    path("token/", views.token, name="token"),
    path("userinfo/", views.userinfo, name="userinfo"),
    path("revoke/", views.revoke, name="revoke"),
    path("logout/", views.logout, name="logout"),
]
