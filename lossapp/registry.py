"""The app's pages, once: title, blurb, address, icon, sidebar group and the losses each page explains.

The sidebar (``app.py``), the home page's contents and the README's page table all read :data:`PAGES`, in its
order, which is the order the tutorial tells its story in. Nothing here imports Streamlit.

The page scripts live in ``app_pages/``, not ``pages/``: Streamlit treats a ``pages/`` folder next to the main
script as a version-1 multipage app, and then a deep link that is the first request after a server start runs
the page without ``app.py`` (the sidebar reads "app", in file-name order).

>>> [p.title for p in PAGES][:3]
['Home', 'Basics', 'Regression']
>>> page_of("SoftmaxCrossEntropyLoss").url_path, page_of("TripletLoss").url_path
('Softmax_cross_entropy', 'Embeddings')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from losscore.catalog import CATALOG

__all__ = ["GROUPS", "HOME", "PAGES", "PAGES_DIR", "START", "AppPage", "by_group", "page_of"]

ROOT = Path(__file__).resolve().parents[1]
#: The folder of the page scripts, relative to ``app.py``.
PAGES_DIR = "app_pages"


@dataclass(frozen=True)
class AppPage:
    """One page of the app."""

    title: str
    #: One line: what the page shows (the home page's contents and the README's table).
    blurb: str
    #: The script's file name in :data:`PAGES_DIR`.
    file: str
    #: The page's address after the app's root (``/Regression``); links people have shared use it.
    url_path: str
    #: A Material icon, ``:material/name:`` (the home page's contents; the sidebar shows titles only).
    icon: str
    #: The sidebar group; one of :data:`GROUPS`.
    group: str
    #: Catalog families whose losses this page explains.
    families: tuple[str, ...] = ()
    #: Single losses this page explains, whatever their family (they take precedence over ``families``).
    losses: tuple[str, ...] = ()

    @property
    def script(self) -> str:
        """The script's path relative to ``app.py`` (what ``st.Page`` and ``st.page_link`` take)."""
        return f"{PAGES_DIR}/{self.file}"

    @property
    def path(self) -> Path:
        return ROOT / self.script


#: Sidebar groups, in the order the tutorial tells its story: how a loss is called, the losses family by family,
#: then the pages that put them side by side or to work.
GROUPS: dict[str, str] = {
    "Start here": "What a loss call returns and how its gradient reaches the network.",
    "The losses, family by family": "Each loss with every parameter on a slider, its value and its gradient.",
    "Put them to work": "Several losses side by side, in a training loop, or on your own numbers.",
}

PAGES: tuple[AppPage, ...] = (
    AppPage("Home", "every loss on one page, with its formula", "0_Home.py", "", ":material/home:",
            "Start here"),
    AppPage("Basics", "a loss call, sample weights, gradients through a Dense layer", "1_Basics.py",
            "Basics", ":material/school:", "Start here"),
    AppPage("Regression", "L1, L2 and Huber against a real label", "2_Regression.py", "Regression",
            ":material/show_chart:", "The losses, family by family", families=("regression",)),
    AppPage("Robust regression", "log-cosh, pseudo-Huber, quantile, epsilon-insensitive, Tukey and Barron's "
            "general loss; what each one estimates", "2b_Robust_regression.py", "Robust_regression",
            ":material/filter_center_focus:", "The losses, family by family",
            losses=("LogCoshLoss", "PseudoHuberLoss", "QuantileLoss", "EpsilonInsensitiveLoss", "TukeyBiweightLoss",
                    "GeneralRobustLoss")),
    AppPage("Binary classification", "sigmoid cross-entropy, logistic, hinge, squared hinge",
            "3_Binary_classification.py", "Binary_classification", ":material/call_split:",
            "The losses, family by family", families=("classification",)),
    AppPage("Softmax cross-entropy", "many classes, and why softmax and log are fused",
            "4_Softmax_cross_entropy.py", "Softmax_cross_entropy", ":material/bar_chart:",
            "The losses, family by family", losses=("SoftmaxCrossEntropyLoss",)),
    AppPage("Distributions", "KL in both directions, Jensen-Shannon and the Poisson negative log-likelihood",
            "5_Distributions.py",
            "Distributions", ":material/stacked_bar_chart:", "The losses, family by family",
            families=("distribution",)),
    AppPage("Embeddings", "triplet, cosine embedding, SDML, InfoNCE, CosFace and ArcFace losses", "6_Embeddings.py",
            "Embeddings",
            ":material/scatter_plot:", "The losses, family by family", families=("embedding",)),
    AppPage("Sequences", "CTC: a word spread over time steps", "7_Sequences.py", "Sequences",
            ":material/text_fields:", "The losses, family by family", families=("sequence",)),
    AppPage("Segmentation", "Dice, Jaccard and Tversky on a small mask, pixel by pixel", "11_Segmentation.py",
            "Segmentation", ":material/grid_on:", "The losses, family by family", families=("segmentation",)),
    AppPage("Compare", "any losses and their gradients on one chart", "8_Compare.py", "Compare",
            ":material/compare_arrows:", "Put them to work"),
    AppPage("Training lab", "L1, L2 and Huber fit a line through outliers; logistic and the hinges train a "
            "classifier, step by step", "9_Training_lab.py", "Training_lab", ":material/model_training:",
            "Put them to work"),
    AppPage("Your own data", "paste or upload predictions and labels, and see which samples dominate a loss",
            "10_Your_own_data.py", "Your_own_data", ":material/upload_file:", "Put them to work"),
)
HOME: AppPage = PAGES[0]
#: The page a newcomer should open first.
START: AppPage = PAGES[1]


def by_group() -> dict[str, list[AppPage]]:
    """The pages under their sidebar group, both in order."""
    return {group: [p for p in PAGES if p.group == group] for group in GROUPS}


def page_of(name: str) -> AppPage:
    """The page that explains the catalog loss ``name``: the one that names it, else the one of its family."""
    if name not in CATALOG:
        raise ValueError(f"name must be a catalog loss ({', '.join(CATALOG)}); got {name!r}")
    named = [p for p in PAGES if name in p.losses]
    if named:
        return named[0]
    family = CATALOG[name].family
    return next(p for p in PAGES if family in p.families)
