"""What the browser tests share: waiting until the app has finished redrawing."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def attendre(page: Page, timeout: float | None = None) -> None:
    """The run over and nothing stale left. Streamlit keeps the previous run's elements on screen
    (marked stale) until the new run ends, and shows its status widget only after a while: a tap
    or a locator could land on a block about to be redrawn or removed."""
    app = page.locator('[data-testid="stApp"]')
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=timeout)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=timeout)
    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=timeout)
    # lazy elements loaded
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=timeout)
    expect(page.locator("html")).to_have_attribute("lang", "fr", timeout=timeout)
