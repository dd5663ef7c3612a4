"""Home page: what the explainer covers, a table of contents, and every loss of the catalog with its formula."""

import streamlit as st

from lossapp.lesson_bar import step_address
from lossapp.lessons import builtin, builtin_names
from lossapp.page import setup_page
from lossapp.registry import GROUPS, HOME, PAGES, START, by_group, page_of
from lossapp.steps import step
from losscore.catalog import CATALOG, FAMILIES, by_family

present = setup_page("Home")

st.title("Loss functions, explained live")
st.markdown(
    "An interactive companion to the MXNet Gluon *Loss functions* tutorial. Every loss below is computed by "
    "`losscore`, a numpy port that reproduces MXNet 1.9.1's values and gives exact gradients. Each page lets "
    "you move every parameter of a loss and watch both the loss and its gradient, the quantity that actually "
    "trains a network."
)
st.metric("Losses covered", len(CATALOG))

if not present:
    st.header("Contents")
    st.page_link(START.script, label=f"New here? Start with {START.title}", icon=":material/flag:")
    for group, pages in by_group().items():
        st.markdown(f"**{group}**: {GROUPS[group]}")
        for page in pages:
            if page is not HOME:
                st.page_link(page.script, label=f"{page.title}: {page.blurb}", icon=page.icon)
    st.header("Lessons")
    st.markdown(
        "Step-by-step walks through the app: each step shows one section with its values set and a question to "
        "think about, some with a prediction to make before the chart appears. Teachers can build their own "
        "from any view with the **Lesson builder** in the sidebar and share its link."
    )
    for name in builtin_names():
        lesson = builtin(name)
        first = next(p for p in PAGES if p.url_path == step(lesson.steps[0].id).page)
        st.page_link(first.script, label=f"{lesson.title} ({len(lesson)} steps)", icon=":material/school:",
                     query_params=step_address(lesson, 1, name))
    st.caption(
        "Every control is stored in the page address, so a link reproduces exactly what you see. Add "
        "`?present=1` to an address for a projector-friendly layout with larger text and no side notes."
    )

for family, blurb in FAMILIES.items():
    specs = by_family(family)
    if not specs:
        continue
    st.header(family.capitalize())
    st.caption(blurb)
    for spec in specs:
        st.subheader(spec.title)
        st.latex(spec.formula)
        st.markdown(spec.summary)
        if not present:
            st.page_link(page_of(spec.name).script, label=f"Explore {spec.name}", icon=":material/arrow_forward:")
