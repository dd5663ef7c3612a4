"""The page sections, one module per topic. Each section is the same small pipeline:

1. read its parameters (widgets and the page address) into plain values,
2. compute with ``losscore`` through cached functions on plain tuples (created once per process here, not in
   the page scripts, where a decorator would be re-created and its source re-hashed on every run),
3. build figures with plain functions (:mod:`lossapp.figures`, :mod:`lossapp.deep_figures`),
4. show them: the live chart (:mod:`lossapp.live_chart`), the numbers under it, the export panel.

Most sections are fragments: moving one of their widgets reruns only that section. Widget keys are short and
bound to the address; long explanations are left out in presentation mode.
"""
