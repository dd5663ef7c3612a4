"""Setup shared by every page: page config, presentation mode and the common footer.

Every page calls :func:`setup_page` first (``app.py`` has drawn the sidebar by then). It also opens the page's
box for link notices: when a value in the address had to be clamped or ignored (see :mod:`lossapp.urlstate`), one
warning at the top of the page lists every such value once.
"""

from __future__ import annotations

import streamlit as st

from lossapp import urlstate

PRESENT_CSS = """
<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 22px; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.25rem; }
[data-testid="stCaptionContainer"] { font-size: 1.05rem; }
[data-testid="stSidebar"] { display: none; }
[data-testid="stExpander"] { display: none; }
</style>
"""


#: On every page. On a phone, formulas are set a little smaller so the catalog's (split into lines where they
#: were long) fit the screen; one that still does not scrolls sideways in its own block (phones hide
#: scrollbars, so a cut formula gave no hint that more was there).
BASE_CSS = """
<style>
[data-testid="stMarkdownContainer"] .katex-display { overflow-x: auto; overflow-y: hidden; max-width: 100%; }
@media (max-width: 480px) { [data-testid="stMarkdownContainer"] .katex-display { font-size: 0.9em; } }
</style>
"""


def presentation_mode() -> bool:
    """True when the URL asks for the projector layout (``?present=1``)."""
    return st.query_params.get("present", "0") in ("1", "true", "yes")


def embedded() -> bool:
    """True when the page is shown with ``?embed=true`` (as an iframe in another site)."""
    try:
        return bool(st.context.is_embedded)
    except Exception:  # noqa: BLE001 - no browser context (bare mode, some tests)
        return False


def setup_page(title: str, icon: str = "📉") -> bool:
    """Configure the page; returns whether presentation mode is on."""
    # Embedded in a docs page (?embed=true in an iframe), the page itself is the content: the sidebar starts closed.
    st.set_page_config(page_title=f"{title} · Loss functions explained", page_icon=icon, layout="wide",
                       initial_sidebar_state="collapsed" if embedded() else "auto")
    urlstate.start_page()
    st.html(BASE_CSS)  # style only: Streamlit adds it to the page without a visible block
    present = presentation_mode()
    if present:
        st.markdown(PRESENT_CSS, unsafe_allow_html=True)
    return present
