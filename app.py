"""The app's entry point (``streamlit run app.py``): the sidebar from the page registry, then the page asked for.

Every request runs this script first, a deep link that is the server's first request included, so every page
gets the same sidebar, "Home" first (see :mod:`lossapp.registry` for why the pages are not in ``pages/``). The
sidebar shows no icons: a Material icon is a ligature, and its name would be read as part of each link's text.
"""

import streamlit as st

from lossapp.registry import HOME, by_group

sections = {
    group: [st.Page(p.script, title=p.title, url_path=p.url_path or None, default=p is HOME)
            for p in pages]
    for group, pages in by_group().items()
}
st.navigation(sections, position="sidebar", expanded=True).run()
