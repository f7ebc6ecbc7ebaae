"""The admin's own pages in front of ``admin.site.urls``: the two-step login and the re-authentication."""
from django.urls import path

from accounts.admin.login import admin_login, admin_second_step

urlpatterns = [
    path("login/", admin_login, name="admin-login"),
    path("login/second-step/", admin_second_step, name="admin-second-step"),
]
