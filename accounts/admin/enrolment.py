"""``MFA_REQUIRED`` in the admin: a staff account without a second factor sees one page, until it enrols.

A middleware rather than ``AdminSite.has_permission``: a refusal there
sends a signed-in user back to the login page, which would send them in
again. Every admin URL but the login and the logout answers this page (403),
naming where to enrol: the browser app's account page, the one place
factors are set up.
"""
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from accounts.mfa import policy


class AdminEnrolmentMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._held(request):
            response = TemplateResponse(
                request, "admin/accounts/enrolment_required.html",
                {"title": _("Set up a second factor first"), "site_header": _("Gatehouse administration")},
                status=403,
            )
            return response.render()
        return self.get_response(request)

    @staticmethod
    def _held(request) -> bool:
        try:
            admin_root = reverse("admin:index")
            open_paths = (reverse("admin-login"), reverse("admin-second-step"), reverse("admin:logout"))
        except NoReverseMatch:  # a URL configuration without the admin
            return False
        if not request.path.startswith(admin_root) or request.path in open_paths:
            return False
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and user.is_staff and policy.enrolment_required(user))
