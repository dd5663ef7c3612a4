"""The exporters: PNG/SVG that open, a CSV that reads back to the plotted numbers, snippets that run."""

from __future__ import annotations

import ast
import csv
import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from matplotlib.image import imread

from lossapp import export
from lossapp.figures import colour_of
from lossapp.model import Curve, CurveView
from lossapp.snippets import SNIPPET_FRAMEWORKS
from lossapp.spellings import spelling
from losscore.catalog import CATALOG, make_loss
from losscore.sweep import prediction_grid, sweep

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CURVE_LOSSES = [name for name, spec in CATALOG.items() if spec.curve is not None]


def build_view(names, params=None, label=None, marker=None, grid=None, title="Test view"):
    """A view built the way a page builds one: losscore sweeps over one prediction grid.

    ``params`` may hold ``sample_weight`` (one value for every point), as the pages' views do.
    """
    params = dict(params or {})
    curves = []
    for name in names:
        spec = CATALOG[name]
        lab = spec.default_label if label is None else label
        forward = {p.name: params.get(p.name, p.default) for p in spec.params if p.where == "forward"}
        if "sample_weight" in params:
            forward["sample_weight"] = params["sample_weight"]
        x = prediction_grid() if grid is None else grid
        s = sweep(make_loss(name, **params), x, lab, **forward)
        curves.append(Curve(name, s.x, s.values, s.grad))
    return CurveView(title, tuple(curves), marker=marker, label=label, loss_names=tuple(names), params=params)


@pytest.fixture(scope="module")
def regression_view():
    return build_view(["L1Loss", "L2Loss", "HuberLoss"], {"rho": 2.5}, label=0.0, marker=1.5,
                      title="Regression: L1, L2 & Huber")


def test_png_has_signature_and_decodes_to_the_expected_size(regression_view):
    data = export.png_bytes(regression_view)
    assert data.startswith(PNG_SIGNATURE)
    image = imread(io.BytesIO(data), format="png")
    w, h = (round(v * export.PNG_DPI) for v in export.FIGSIZE)
    assert image.shape[:2] == (h, w)
    # light theme: the corners are white
    assert np.allclose(image[0, 0, :3], 1.0) and np.allclose(image[-1, -1, :3], 1.0)


def test_svg_parses_with_an_svg_root(regression_view):
    root = ET.fromstring(export.svg_bytes(regression_view))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_figure_has_loss_and_gradient_panels_with_labels_and_legend(regression_view):
    fig = export.matplotlib_figure(regression_view)
    loss_ax, grad_ax = fig.axes
    assert loss_ax.get_ylabel() == "loss" and grad_ax.get_ylabel() == "dL/dpred"
    assert grad_ax.get_xlabel() == "prediction"
    assert loss_ax.get_shared_x_axes().joined(loss_ax, grad_ax)
    assert [t.get_text() for t in loss_ax.get_legend().get_texts()] == ["L1Loss", "L2Loss", "HuberLoss"]
    colours = [line.get_color() for line in loss_ax.get_lines()[:3]]
    # the same colours as the on-screen chart, all from the Okabe-Ito palette
    assert colours == [colour_of(regression_view, i) for i in range(3)]
    assert set(colours) <= set(export.OKABE_ITO)


def test_figure_without_marker_or_label_and_with_infinite_values():
    x = np.linspace(0.0, 1.0, 11)
    with np.errstate(divide="ignore"):
        loss = -np.log(x)  # inf at 0
    grad = -1 / np.where(x == 0, np.nan, x)
    view = CurveView("Log", (Curve("neg log", x, loss, grad),))
    fig = export.matplotlib_figure(view)
    assert np.isfinite(fig.axes[0].get_ylim()).all()
    assert export.png_bytes(view).startswith(PNG_SIGNATURE)


def read_csv(text):
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], np.array([[float(v) if v else np.nan for v in row] for row in rows[1:]])


def test_csv_reads_back_to_exactly_the_plotted_numbers(regression_view):
    header, table = read_csv(export.csv_text(regression_view))
    assert header == ["prediction", "L1Loss loss", "L1Loss dL/dpred", "L2Loss loss", "L2Loss dL/dpred",
                      "HuberLoss loss", "HuberLoss dL/dpred"]
    curves = regression_view.curves
    np.testing.assert_array_equal(table[:, 0], curves[0].x)
    for k, c in enumerate(curves):
        np.testing.assert_array_equal(table[:, 1 + 2 * k], c.loss)
        np.testing.assert_array_equal(table[:, 2 + 2 * k], c.grad)


def test_csv_of_float32_curves_and_non_finite_values_round_trips():
    x = np.array([-1.0, 0.0, 0.1], dtype=np.float32)
    view = CurveView("f32", (Curve('odd "name", with comma', x, np.array([np.inf, np.nan, 0.1], np.float32),
                                   np.array([1e-30, -0.0, 3.3], np.float32)),))
    header, table = read_csv(export.csv_text(view))
    assert header[1] == 'odd "name", with comma loss'
    np.testing.assert_array_equal(table[:, 0].astype(np.float32), x)
    np.testing.assert_array_equal(table[:, 1].astype(np.float32), view.curves[0].loss)
    np.testing.assert_array_equal(table[:, 2].astype(np.float32), view.curves[0].grad)


def test_csv_with_curves_on_different_grids_uses_the_union():
    a = Curve("a", np.array([0.0, 1.0]), np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    b = Curve("b", np.array([0.5, 1.0]), np.array([5.0, 6.0]), np.array([7.0, 8.0]))
    _, table = read_csv(export.csv_text(CurveView("two grids", (a, b))))
    np.testing.assert_array_equal(table[:, 0], [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(table[1], [0.5, np.nan, np.nan, 5.0, 7.0])
    np.testing.assert_array_equal(table[2], [1.0, 2.0, 4.0, 6.0, 8.0])


def test_file_stem_is_safe():
    assert export.file_stem(CurveView("Regression: L1, L2 & Huber", ())) == "regression-l1-l2-huber"
    assert export.file_stem(CurveView("???", ())) == "loss-curve"


# -- snippets ------------------------------------------------------------------------------------------------
def run_losscore_snippet(view):
    code = export.snippets(view)["losscore"]
    namespace: dict = {}
    exec(compile(code, "<losscore snippet>", "exec"), namespace)  # our own generated code
    return namespace["results"]


def assert_reproduces(view, results):
    assert len(results) == len(view.loss_names)
    for got, curve in zip(results.values(), view.curves, strict=True):
        assert got.x.size >= 5
        idx = np.searchsorted(curve.x, got.x)
        np.testing.assert_array_equal(curve.x[idx], got.x)  # grid points, not interpolations
        np.testing.assert_allclose(got.values, curve.loss[idx], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(got.grad, curve.grad[idx], rtol=1e-12, atol=1e-15)


def test_losscore_snippet_runs_and_reproduces_the_view(regression_view, capsys):
    results = run_losscore_snippet(regression_view)
    assert_reproduces(regression_view, results)
    # the marker's grid point is among the reproduced predictions
    assert 1.5 in results["HuberLoss"].x
    assert "HuberLoss loss" in capsys.readouterr().out


@pytest.mark.parametrize("name", CURVE_LOSSES)
def test_losscore_snippet_reproduces_every_curve_loss_with_non_default_parameters(name):
    spec = CATALOG[name]
    params = {}
    for p in spec.params:
        if p.kind == "float":
            moved = min(max(p.default * 1.7 + 0.3, p.low), p.high)  # within the slider's range (tau < 1)
            params[p.name] = moved if p.name != "epsilon" else 1e-6
        elif p.kind == "bool" and p.name != "compute_full":
            params[p.name] = not p.default
        elif p.kind == "choice":
            params[p.name] = p.choices[-1]
    if name == "PoissonNLLLoss":
        params["compute_full"] = True
    params["sample_weight"] = 0.7
    grid = None
    if params.get("from_sigmoid") or (name == "PoissonNLLLoss" and not params.get("from_logits", True)):
        grid = np.linspace(0.0 if name != "PoissonNLLLoss" else 0.01, 1.0, 101)
    label = 0.7 if name == "SigmoidBinaryCrossEntropyLoss" else (3.0 if name == "PoissonNLLLoss" else None)
    view = build_view([name], params, label=label, grid=grid, marker=0.25)
    assert_reproduces(view, run_losscore_snippet(view))


def test_losscore_snippet_with_float32_curves_and_per_loss_params():
    grid = prediction_grid(dtype=np.float32)
    s = sweep(make_loss("HuberLoss", rho=0.5), grid, 1.0)
    view = CurveView("f32 Huber", (Curve("Huber (rho = 0.5)", s.x, s.values, s.grad),), label=1.0,
                     loss_names=("HuberLoss",), params={"HuberLoss": {"rho": np.float64(0.5)}})
    code = export.snippets(view)["losscore"]
    assert "HuberLoss(rho=0.5" in code and "dtype=np.float32" in code
    assert_reproduces(view, run_losscore_snippet(view))


def test_snippets_carry_weight_and_sample_weight():
    view = build_view(["SigmoidBinaryCrossEntropyLoss"], {"weight": 3.0, "sample_weight": 0.5, "pos_weight": 3.0},
                      label=1.0)
    code = export.snippets(view)
    assert "sample_weight=0.5, pos_weight=3.0" in code["losscore"]
    assert "loss(pred, label, nd.full(pred.shape, 0.5, dtype='float64'), nd.full(pred.shape, 3.0" in code[
        "MXNet Gluon"]
    assert "loss = 1.5 * (torch.nn.BCEWithLogitsLoss" in code["PyTorch"]  # weight 3 times sample weight 0.5
    assert_reproduces(view, run_losscore_snippet(view))


def test_snippet_of_a_view_from_the_pages_section_builder():
    from lossapp.curve_views import curve_view

    view = curve_view("HuberLoss", {"rho": 0.7, "weight": 1.5}, label=0.5, sample_weight=2.0, marker=1.25)
    results = run_losscore_snippet(view)
    assert_reproduces(view, results)
    assert 1.25 in results["HuberLoss"].x


def test_one_loss_drawn_twice_with_parameters_keyed_by_curve_name():
    grid = np.linspace(0.01, 0.99, 99)
    curves = []
    for flag in (True, False):
        s = sweep(make_loss("SigmoidBinaryCrossEntropyLoss", from_sigmoid=flag), grid, 1.0)
        curves.append(Curve(f"from_sigmoid={flag}", s.x, s.values, s.grad))
    view = CurveView("double sigmoid", tuple(curves), marker=0.5, label=1.0,
                     loss_names=("SigmoidBinaryCrossEntropyLoss",) * 2,
                     params={f"from_sigmoid={f}": {"from_sigmoid": f} for f in (True, False)})
    results = run_losscore_snippet(view)
    assert list(results) == ["SigmoidBinaryCrossEntropyLoss: from_sigmoid=True",
                             "SigmoidBinaryCrossEntropyLoss: from_sigmoid=False"]
    assert_reproduces(view, results)
    torch = export.snippets(view)["PyTorch"]
    assert "torch.nn.BCELoss(reduction='none')" in torch and "BCEWithLogitsLoss" in torch


def test_a_view_of_no_catalog_loss_gets_an_explanation_instead_of_code():
    x = np.linspace(0.0, 1.0, 3)
    code = export.snippets(CurveView("Something else", (Curve("custom", x, x, x),)))
    assert list(code) == list(SNIPPET_FRAMEWORKS)
    for text in code.values():
        ast.parse(text)
        assert "not the curve of a catalog loss" in text


def test_snippets_parse_and_name_the_right_classes_and_notes(regression_view):
    code = export.snippets(regression_view)
    assert list(code) == ["losscore", "MXNet Gluon", "PyTorch", "Keras 3", "optax"]
    for text in code.values():
        ast.parse(text)
    torch = code["PyTorch"]
    assert "torch.nn.SmoothL1Loss(reduction='none', beta=2.5)" in torch
    assert "0.5 * torch.nn.MSELoss(reduction='none')" in torch
    assert "torch.nn.L1Loss(reduction='none')" in torch
    assert "HuberLoss(rho) equals torch.nn.SmoothL1Loss(beta=rho) exactly" in torch
    assert "L2Loss = 0.5 * torch.nn.MSELoss" in torch
    mx = code["MXNet Gluon"]
    for cls in ("gluon.loss.L1Loss(weight=1.0)", "gluon.loss.L2Loss(weight=1.0)", "gluon.loss.HuberLoss(rho=2.5"):
        assert cls in mx
    assert "mirrors gluon.loss.HuberLoss" in mx
    assert "L2Loss = 0.5 * torch.nn.MSELoss" in code["losscore"]
    # every snippet states the app's numbers at the chosen predictions (Huber's gradient at 1.5 is 0.6)
    assert "0.6000000000000001" in code["losscore"]  # exact, it is asserted against
    for framework in ("MXNet Gluon", "PyTorch"):
        assert "# the app shows dL/dpred [-1, -1, 0, 0.6, 1, 1]" in code[framework]


def all_notes_as_one_line(text):
    return " ".join(line.lstrip("# ").strip() for line in text.splitlines() if line.lstrip().startswith("#"))


@pytest.mark.parametrize("name", CURVE_LOSSES)
def test_every_curve_loss_has_parseable_framework_snippets_with_its_notes(name):
    view = build_view([name], label=None)
    code = export.snippets(view)
    for framework, text in code.items():
        ast.parse(text, filename=f"<{framework} snippet>")
    spec = CATALOG[name]
    for torch_note in (n for n in spec.counterparts if n.startswith("PyTorch")):
        assert torch_note in all_notes_as_one_line(code["PyTorch"])
    spelled = spelling("PyTorch", name, spec.defaults()).code != ""
    assert ("loss.sum().backward()" in code["PyTorch"]) == spelled
    if spelling("MXNet Gluon", name, spec.defaults()).code:
        assert f"gluon.loss.{name}(" in code["MXNet Gluon"]
        mx_notes = all_notes_as_one_line(code["MXNet Gluon"])
        for diff in spec.differences:
            assert diff in mx_notes
    else:
        assert f"gluon.loss.{name}" not in code["MXNet Gluon"] and f"has no built-in {name}" in code["MXNet Gluon"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"from_sigmoid": False, "pos_weight": 3.0}, "BCEWithLogitsLoss(reduction='none', pos_weight=pos_weight)"),
        ({"from_sigmoid": True}, "torch.nn.BCELoss(reduction='none')"),
        ({"from_sigmoid": True, "pos_weight": 2.0}, "-(2.0 * label * torch.log(pred + 1e-12)"),
    ],
)
def test_bce_pytorch_snippet_follows_the_parameters(params, expected):
    grid = np.linspace(0.0, 1.0, 11) if params.get("from_sigmoid") else None
    view = build_view(["SigmoidBinaryCrossEntropyLoss"], params, label=1.0, grid=grid)
    torch = export.snippets(view)["PyTorch"]
    ast.parse(torch)
    assert expected in torch


def test_triplet_note_and_snippets_for_a_loss_without_a_curve():
    x = np.linspace(-2.0, 2.0, 9)
    view = CurveView("Triplet vs anchor position", (Curve("TripletLoss", x, np.maximum(x, 0), (x > 0) * 1.0),),
                     loss_names=("TripletLoss",), params={"margin": 0.5})
    code = export.snippets(view)
    for text in code.values():
        ast.parse(text)
    assert "TripletMarginWithDistanceLoss" in all_notes_as_one_line(code["PyTorch"])
    assert "TripletLoss(margin=0.5" in code["losscore"]
    exec(compile(code["losscore"], "<triplet snippet>", "exec"), {})


def test_export_panel_in_a_script(tmp_path):
    from streamlit.testing.v1 import AppTest

    def script():
        import numpy as np

        from lossapp.export import export_panel
        from lossapp.model import Curve, CurveView

        x = np.linspace(-1.0, 1.0, 5)
        view = CurveView("Panel test", (Curve("L1Loss", x, np.abs(x), np.sign(x)),), loss_names=("L1Loss",))
        export_panel(view, key="demo")

    at = AppTest.from_function(script, default_timeout=30).run()
    assert not at.exception
    # nothing inside is built or sent until the reader opens the expander
    assert [e.label for e in at.expander] == ["Download (PNG, SVG, CSV) and run it yourself"]
    assert not at.get("download_button") and not at.tabs and not at.code
    at.session_state["demo_export"] = True
    at.run()
    assert not at.exception
    assert [e.proto.label for e in at.get("download_button")] == ["PNG", "SVG", "CSV"]
    assert [t.label for t in at.tabs] == list(SNIPPET_FRAMEWORKS)
    assert [c.language for c in at.code] == ["python"] * 5
    assert "L1Loss" in at.code[0].value


@pytest.fixture
def brand_new_loss(monkeypatch):
    """A catalog loss that no framework table knows (as a newly added loss is until someone spells it)."""
    import dataclasses

    from losscore import catalog

    spec = dataclasses.replace(CATALOG["L1Loss"], name="BrandNewLoss", short_id="brandnew", counterparts=())
    monkeypatch.setitem(catalog.CATALOG, "BrandNewLoss", spec)  # the one dict every module reads
    return spec


def test_a_loss_without_spellings_gets_a_note_never_made_up_code(brand_new_loss):
    from lossapp.curve_views import curve_view

    view = curve_view("BrandNewLoss", {"weight": 2.0}, 0.5, marker=1.0)
    code = export.snippets(view)
    for text in code.values():
        ast.parse(text)
    assert "BrandNewLoss(weight=2.0" in code["losscore"]
    for framework in SNIPPET_FRAMEWORKS[1:]:
        text = code[framework]
        shown = "MXNet Gluon 1.9.1" if framework == "MXNet Gluon" else framework
        assert f"# {shown} has no built-in BrandNewLoss:" in text
        assert "BrandNewLoss(" not in text and "results[" not in text
        # nothing runs but the imports: the note is all a reader gets
        code_lines = [line for line in text.splitlines() if line and not line.startswith(("#", '"""'))]
        assert all(line.startswith(("import ", "from ", "os.environ", "jax.config", "keras.config", "results = {}"))
                   for line in code_lines), code_lines


def test_the_export_panel_of_a_loss_without_spellings(brand_new_loss):
    from streamlit.testing.v1 import AppTest

    def script():
        from lossapp.curve_explorer import curve_section

        curve_section("BrandNewLoss", "brandnew")

    at = AppTest.from_function(script, default_timeout=30)
    at.session_state["brandnew_export"] = True
    at.run()
    assert not at.exception
    assert [t.label for t in at.tabs] == list(SNIPPET_FRAMEWORKS)
    assert "MXNet Gluon 1.9.1 has no built-in BrandNewLoss" in at.code[1].value
