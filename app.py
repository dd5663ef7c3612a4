"""Home page: what the explainer covers, a table of contents, and every loss of the catalog with its formula."""

from pathlib import Path

import streamlit as st

from lossapp.page import setup_page
from losscore.catalog import CATALOG, FAMILIES, by_family

present = setup_page("Home")

#: The page that explains each loss (the sidebar lists the same pages in the tutorial's order).
PAGES = {
    "pages/1_Basics.py": ("Basics", "a loss call, sample weights, gradients through a Dense layer"),
    "pages/2_Regression.py": ("Regression", "L1, L2 and Huber against a real label"),
    "pages/3_Binary_classification.py": ("Binary classification",
                                         "sigmoid cross-entropy, logistic, hinge, squared hinge"),
    "pages/4_Softmax_cross_entropy.py": ("Softmax cross-entropy", "many classes, and why softmax and log are fused"),
    "pages/5_Distributions.py": ("Distributions", "KL divergence and the Poisson negative log-likelihood"),
    "pages/6_Embeddings.py": ("Embeddings", "triplet, cosine embedding and SDML losses"),
    "pages/7_Sequences.py": ("Sequences", "CTC: a word spread over time steps"),
    "pages/8_Compare.py": ("Compare", "any losses and their gradients on one chart"),
}
HERE = Path(__file__).resolve().parent
for extra in sorted((HERE / "pages").glob("*.py")):  # pages added later still get a link
    PAGES.setdefault(f"pages/{extra.name}", (extra.stem.split("_", 1)[-1].replace("_", " "), ""))
FAMILY_PAGE = {
    "regression": "pages/2_Regression.py",
    "classification": "pages/3_Binary_classification.py",
    "distribution": "pages/5_Distributions.py",
    "embedding": "pages/6_Embeddings.py",
    "sequence": "pages/7_Sequences.py",
}


def page_of(name: str, family: str) -> str:
    return "pages/4_Softmax_cross_entropy.py" if name == "SoftmaxCrossEntropyLoss" else FAMILY_PAGE[family]


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
    for path, (title, blurb) in sorted(PAGES.items()):
        st.page_link(path, label=f"{title}: {blurb}" if blurb else title, icon=":material/arrow_forward:")
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
            st.page_link(page_of(spec.name, family), label=f"Explore {spec.name}", icon=":material/arrow_forward:")
