"""The offline export of a section: one HTML file with the section's texts, charts, plotly.js and the chart
component's code, pointing at nothing outside itself (tests/browser/test_offline_export.py opens it in Chromium)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from apptest_charts import load_page

from lossapp.curve_views import curve_view
from lossapp.figures import curve_figure
from lossapp.frames import curve_frames
from lossapp.js_bundle import bundle, frontend_bundle, script_text
from lossapp.live_chart import COMPONENT_NAME, ClientSlider, chart_config, component_data, payload_bytes, slider_values
from lossapp.section_html import PLOTLY_JS, SectionDoc, curve_doc, formula_html, section_html
from losscore.catalog import CATALOG

#: Anything that would make a browser fetch from elsewhere: a script or stylesheet by address, a CSS import or
#: url(), an image, frame or media source.
EXTERNAL = re.compile(r"""<(script|link|img|iframe|source|video|audio)\b[^>]*\b(src|href)\s*=\s*["']?\s*(https?:)?//"""
                      r"""|@import|url\(\s*["']?\s*(https?:)?//""", re.I)


def _payloads(html: str) -> list[dict]:
    found = re.findall(r'<script type="application/json" id="lossapp-payload-\d+">(.*?)</script>', html, re.S)
    return [json.loads(p) for p in found]


def _huber_payload(rho: float = 1.0) -> tuple[bytes, ClientSlider]:
    """What the Regression page sends for its Huber chart at ``rho`` with a marker slider, every rho frame
    included (as the export does)."""
    view = curve_view("HuberLoss", {"rho": rho, "weight": 1.0}, 0.0, 1.0, 2.0)
    fig = curve_figure(view)
    rho_slider = ClientSlider("huber_rho", "rho", 0.1, 5.0, 0.1, rho, "frame")
    marker = ClientSlider("huber_pred", "prediction marker", -5.0, 5.0, 0.05, 2.0, "marker")

    def curves_at(value: float):
        return curve_view("HuberLoss", {"rho": value, "weight": 1.0}, 0.0, 1.0, 2.0).curves

    frames = {"huber_rho": curve_frames(fig, rho_slider, curves_at, window=None)}
    data = component_data(fig, key="huber_chart", alt=view.alt_text(), config=chart_config(),
                          sliders=(marker, rho_slider), names={"HuberLoss": "Huber"}, frames=frames)
    return payload_bytes(fig, data), rho_slider


def test_a_curve_section_file_holds_its_texts_chart_and_code_and_nothing_from_elsewhere():
    sent, rho = _huber_payload()
    html = section_html(curve_doc("huber", ["HuberLoss"], "x", "http://example.test/Regression?section=huber"),
                        [sent])
    assert EXTERNAL.search(html) is None, EXTERNAL.search(html)
    assert "<h1>Huber loss</h1>" in html
    assert html.count("<math") == 2 and "<mfrac>" in html  # the formula as MathML, a block per line
    assert CATALOG["HuberLoss"].summary.split(",")[0] in html
    assert 'href="http://example.test/Regression?section=huber"' in html  # a link back, not a resource
    # plotly.js from the installed package, and the component's modules, inlined
    assert PLOTLY_JS.read_text()[:2000] in html
    assert "window[\"lossappChart\"]" in html and "function applyControls(host)" in html
    # the payload as the app sends it, less what only means something next to the server
    [data] = _payloads(html)
    sent_data = json.loads(sent)
    assert data == {k: v for k, v in sent_data.items() if k not in ("src", "ack")}
    assert data["frames"]["huber_rho"]["values"] == slider_values(rho)  # every rho, not a window around one
    assert [c["role"] for c in data["controls"]] == ["marker", "frame"]
    # plotly.js is most of it; the frames of a 50-step slider and the code add a little
    extra = len(html.encode()) - PLOTLY_JS.stat().st_size
    assert 0 < extra < 3_000_000, extra


def test_the_file_holds_what_the_app_sends_for_a_section():
    """From the payload the Regression page really sends (AppTest): the chart's sliders and figure go in."""
    at = load_page("2_Regression.py", section="l2")
    [proto] = [n.proto for n in at.get("bidi_component") if n.proto.component_name == COMPONENT_NAME]
    html = section_html(curve_doc("l2", ["L2Loss"], "x"), [proto.bytes])
    [data] = _payloads(html)
    assert json.loads(data["figure"]) == json.loads(json.loads(proto.bytes)["figure"])
    assert {c["id"] for c in data["controls"]} >= {"l2_pred", "l2_weight"}
    assert f"<h1>{CATALOG['L2Loss'].title}</h1>" in html and "Open this section" not in html  # no address: no link


def test_texts_are_escaped_and_script_ends_cannot_break_out():
    doc = SectionDoc("<script>alert(1)</script>", "", ("a `x</script>` b",), 'javascript:"x"')
    sent = {"figure": json.dumps({"data": [], "layout": {"title": {"text": "</script><b>"}}}),
            "alt": "</script><img src=x>", "src": "/app/static/plotly.min.js"}
    html = section_html(doc, [sent])
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)" in html
    assert "<img src=x>" not in html
    [data] = _payloads(html)  # the payload survives the escaping whole
    assert json.loads(data["figure"])["layout"]["title"]["text"] == "</script><b>" and "src" not in data
    assert html.count("</script>") == html.count("<script")  # every script ends where it should
    with pytest.raises(ValueError, match="chart component payload"):
        section_html(doc, [{"alt": "no figure"}])


def test_every_catalog_formula_becomes_mathml():
    for name, spec in CATALOG.items():
        out = formula_html(spec.formula)
        assert out.startswith("<math") and 'display="block"' in out, name
        # no alignment mark printed, no line break browsers ignore: a stacked formula is one block per line
        assert "<mi>&</mi>" not in out and "linebreak" not in out, name
    assert formula_html(CATALOG["HuberLoss"].formula).count("<math") == 2  # the cases, then d_i = pred - label
    assert formula_html(r"\begin{nonsense}").startswith('<pre class="formula-source">')  # shown as its source


def test_the_bundle_runs_the_modules_in_import_order_and_refuses_what_it_cannot_bundle():
    js = frontend_bundle()
    order = re.findall(r'^__m\["([\w-]+\.js)"\] = ', js, re.M)
    assert order[-1] == "index.js" and order.index("arrays.js") < order.index("curves.js") < order.index("draw.js")
    assert not re.search(r"^\s*(import|export)\b", js, re.M)
    with pytest.raises(ValueError, match="import cycle"):
        bundle({"a.js": "import {b} from './b.js';", "b.js": "import {a} from './a.js';"}, "a.js", "x")
    with pytest.raises(ValueError, match="only one-line named imports"):
        bundle({"a.js": "import * as b from './b.js';\nexport default function () {}"}, "a.js", "x")
    with pytest.raises(ValueError, match="not among the sources"):
        bundle({"a.js": "import {b} from './b.js';"}, "a.js", "x")
    assert script_text('s = "</SCRIPT>"') == 's = "<\\/SCRIPT>"'
    with pytest.raises(ValueError, match="<!--"):
        script_text("a <!-- b")


def test_the_bundle_is_valid_javascript(tmp_path):
    """(node comes with make test, for the frontend's own lint and tests)"""
    path = tmp_path / "bundle.js"
    path.write_text(frontend_bundle())
    node = shutil.which("node")
    assert node, "node is needed (make chromium installs Debian's nodejs)"
    subprocess.run([node, "--check", str(path)], check=True, capture_output=True, timeout=60)


def test_a_frame_slider_whose_table_covers_a_window_moves_only_across_that_window():
    view = curve_view("HuberLoss", {"rho": 2.0, "weight": 1.0}, 0.0, 1.0, 2.0)
    fig = curve_figure(view)
    rho = ClientSlider("huber_rho", "rho", 0.1, 5.0, 0.1, 2.0, "frame")
    frames = {"huber_rho": curve_frames(fig, rho, lambda v: curve_view(
        "HuberLoss", {"rho": v, "weight": 1.0}, 0.0, 1.0, 2.0).curves)}  # the app's window of a few steps
    data = component_data(fig, key="huber_chart", alt="a", config=chart_config(), sliders=(rho,), frames=frames)
    [out] = _payloads(section_html(SectionDoc("t"), [payload_bytes(fig, data)]))
    [control] = out["controls"]
    assert (control["min"], control["max"]) == (1.7, 2.3) == tuple(frames["huber_rho"]["values"][::6])


@pytest.mark.parametrize(("page", "section"), [
    ("5_Distributions.py", "kl-directions"), ("5_Distributions.py", "poisson-counts"),
    ("5_Distributions.py", "stirling"), ("4_Softmax_cross_entropy.py", "softmax-sliders"),
    ("6_Embeddings.py", "triplet"), ("6_Embeddings.py", "cosine"), ("6_Embeddings.py", "sdml"),
    ("7_Sequences.py", "ctc"),
])
def test_deep_dives_offer_their_file_but_not_on_a_projector(page, section):
    def offers(at) -> bool:
        return any(b.proto.label == "Interactive HTML" for b in at.get("download_button"))

    assert offers(load_page(page, section=section))
    assert not offers(load_page(page, section=section, present="1"))
