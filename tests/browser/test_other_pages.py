"""Pages beside the SPA render under the same Content-Security-Policy without violations."""
from playwright.sync_api import expect


def test_api_docs_render_without_csp_violations(page):
    page.goto("/api/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Gatehouse API")
    expect(page.get_by_text("/api/auth/refresh/").first).to_be_visible()
