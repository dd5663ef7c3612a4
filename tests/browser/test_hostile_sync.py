"""Sync messages sent from the browser console (through the chart component's own setTriggerValue, as a visitor
could reach it) that are not what the page sends: the page keeps running, the address keeps its value, and the
slider still works afterwards."""

from __future__ import annotations

from .harness import CLIENT_SLIDER, exceptions, runs, wait_loaded, wait_run_after

SEND = """([param, make]) => {
  let host = document.querySelector('[data-testid="lossappControls"] input[data-param="' + param + '"]');
  while (host && !host.__lossappTrigger) host = host.parentElement;
  host.__lossappTrigger('sync', (0, eval)(make));
}"""

HOSTILE = [
    "JSON.parse('[' .repeat(100000) + ']'.repeat(100000))",  # RecursionError in Streamlit's json.loads
    "({huber_rho: JSON.parse('['.repeat(5000) + ']'.repeat(5000))})",
    "JSON.parse('{\"huber_rho\": ' + '9'.repeat(5000) + '}')",  # a 5,000-digit integer: ValueError
    "({huber_rho: '1'.repeat(100000)})",
    "Object.fromEntries(Array.from({length: 5000}, (_, i) => ['k' + i, i]))",
    "({huber_rho: {huber_rho: 2}, _seq: 1e300})",
]


def test_hostile_sync_messages_do_not_end_the_page_run(server, page):
    page.goto(f"{server}/Regression?huber_rho=1.5")
    wait_loaded(page)
    for make in HOSTILE:
        before = runs(page)
        page.evaluate(SEND, ["huber_rho", make])
        wait_run_after(page, before)
        assert exceptions(page) == [], make
        assert page.evaluate("() => new URL(location.href).searchParams.get('huber_rho')") == "1.5", make
    rho = page.locator(f'{CLIENT_SLIDER}[data-param="huber_rho"]')
    before = runs(page)
    rho.focus()
    page.keyboard.press("ArrowRight")
    wait_run_after(page, before)
    page.wait_for_function("() => new URL(location.href).searchParams.get('huber_rho') === '1.6'")
    assert exceptions(page) == [] and page.console_errors == []
