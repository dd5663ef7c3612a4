"""No lost presses: a slider held down (real key presses 40 ms apart, as a student holding an arrow key) ends
where the presses took it once the server has caught up, and a slider that follows another (pred_lengths
following T on Sequences) ends equal to it, with the numbers a fresh load of the final address shows."""

from __future__ import annotations

from .harness import CLIENT_SLIDER, SLIDER, STATE_OBSERVER, exceptions, wait_idle, wait_loaded

#: The scenario: real key presses this many milliseconds apart (not a wait for the app's state).
PRESS_GAP_MS = 40


def hold(page, key: str, presses: int) -> None:
    for _ in range(presses):
        page.keyboard.press(key)
        page.wait_for_timeout(PRESS_GAP_MS)


def client_slider(param: str) -> str:
    return f'{CLIENT_SLIDER}[data-param="{param}"]'


#: True once the chart of browser-side slider ``param`` has no step the server has not applied: no message
#: waiting or in flight, the server's reply to the last one received, and the script idle.
SETTLED = """(param) => {
  const input = document.querySelector('[data-testid="lossappControls"] input[data-param="' + param + '"]');
  let host = input;  // the element the component was mounted in holds its state
  while (host && !host.__lossappSync) host = host.parentElement;
  const sync = host && host.__lossappSync;
  return Boolean(sync && !host.__lossappTimer && sync.ack === sync.seq
    && host.__lossapp.server[param] === host.__lossapp.values[param]
    && document.querySelector('[data-testid="stApp"]').getAttribute('data-test-script-state') === 'notRunning');
}"""


def wait_settled(page, param: str) -> None:
    page.wait_for_function(SETTLED, arg=param, timeout=60_000)


def value_of(page, param: str) -> float:
    return float(page.locator(client_slider(param)).input_value())


def address_value(page, param: str) -> str | None:
    return page.evaluate("(p) => new URL(window.location.href).searchParams.get(p)", param)


def test_a_browser_side_slider_held_down_ends_where_the_presses_took_it(server, page):
    """Huber's rho (1.0, step 0.1): 20 presses 40 ms apart end at 3.0, in the slider, the address and what the
    server applied (replies to earlier sync messages arrive in between and must not pull it back)."""
    page.goto(f"{server}/Regression")
    wait_loaded(page)
    rho = page.locator(client_slider("huber_rho"))
    assert float(rho.input_value()) == 1.0
    rho.focus()
    hold(page, "ArrowRight", 20)
    wait_settled(page, "huber_rho")
    assert value_of(page, "huber_rho") == 3.0
    assert float(address_value(page, "huber_rho")) == 3.0
    assert page.evaluate("(sel) => document.activeElement.matches(sel)", client_slider("huber_rho"))
    assert not exceptions(page)


def test_a_streamlit_slider_held_down_ends_where_the_presses_took_it(server, page):
    """A Streamlit slider with room for 20 steps (Your own data's Huber rho, a Streamlit slider there): 20
    presses 40 ms apart move it 20 steps."""
    page.goto(f"{server}/Your_own_data?od_loss=HuberLoss")
    wait_loaded(page)
    sliders = page.locator(SLIDER)
    pick = None
    for i in range(sliders.count()):
        s = sliders.nth(i)
        now, high, step = float(s.input_value()), float(s.get_attribute("max")), float(s.get_attribute("step"))
        if s.is_enabled() and (high - now) / step >= 20 - 1e-9:
            pick = (i, now, step)
            break
    assert pick, "no Streamlit slider with room for 20 steps on the page"
    i, start, step = pick
    expected = round(start + 20 * step, 9)
    sliders.nth(i).focus()
    hold(page, "ArrowRight", 20)
    try:
        page.wait_for_function(
            "([sel, i, want]) => Math.abs(Number(document.querySelectorAll(sel)[i].value) - want) < 1e-9"
            " && document.querySelector('[data-testid=\"stApp\"]').getAttribute('data-test-script-state')"
            " === 'notRunning'", arg=[SLIDER, i, expected], timeout=30_000)
    except Exception:  # report where it ended
        pass
    wait_idle(page)
    assert abs(float(sliders.nth(i).input_value()) - expected) < 1e-9, (start, sliders.nth(i).input_value())
    assert not exceptions(page)


def ctc_numbers(page) -> dict[str, str]:
    box = page.locator('[data-testid="lossappReadout"]').first
    return dict(zip(box.locator("dt").all_inner_texts(), box.locator("dd").all_inner_texts(), strict=True))


def test_pred_lengths_follows_t_held_down_and_the_loss_is_that_of_the_final_address(server, page, browser):
    """Sequences: 22 presses 40 ms apart on "time steps T" (8 -> 30) leave pred_lengths equal to T (it follows
    T while at its maximum), and the CTC loss shown is the one a fresh load of the final address shows."""
    page.goto(f"{server}/Sequences")
    wait_loaded(page)
    t = page.locator(client_slider("ctc_t"))
    assert value_of(page, "ctc_t") == 8 and value_of(page, "ctc_plen") == 8
    t.focus()
    hold(page, "ArrowRight", 22)
    wait_settled(page, "ctc_t")
    page.wait_for_function("() => !document.querySelector('.lossapp-stale')")
    assert value_of(page, "ctc_t") == 30
    assert value_of(page, "ctc_plen") == 30, "pred_lengths stayed behind T"
    assert page.locator(client_slider("ctc_plen")).get_attribute("max") == "30"
    shown = ctc_numbers(page)
    assert not exceptions(page)

    fresh = browser.new_page(viewport={"width": 1280, "height": 900})
    fresh.add_init_script(STATE_OBSERVER)
    try:
        fresh.goto(page.url)
        wait_loaded(fresh)
        assert value_of(fresh, "ctc_t") == 30 and value_of(fresh, "ctc_plen") == 30
        assert ctc_numbers(fresh) == shown
    finally:
        fresh.close()
