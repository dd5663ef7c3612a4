"""Setup shared by every page: page config, presentation mode and the common footer.

Every page calls :func:`setup_page` first, so a deep link that is the first request after a server start
renders the same as a page reached through the sidebar.
"""

from __future__ import annotations

import streamlit as st

PRESENT_CSS = """
<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 22px; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.25rem; }
[data-testid="stCaptionContainer"] { font-size: 1.05rem; }
[data-testid="stSidebar"] { display: none; }
[data-testid="stExpander"] { display: none; }
</style>
"""


def presentation_mode() -> bool:
    """True when the URL asks for the projector layout (``?present=1``)."""
    return st.query_params.get("present", "0") in ("1", "true", "yes")


def setup_page(title: str, icon: str = "📉") -> bool:
    """Configure the page; returns whether presentation mode is on."""
    st.set_page_config(page_title=f"{title} · Loss functions explained", page_icon=icon, layout="wide")
    present = presentation_mode()
    if present:
        st.markdown(PRESENT_CSS, unsafe_allow_html=True)
    return present
