"""segmentation-models-pytorch's losses without the rest of the package.

``import segmentation_models_pytorch`` loads every encoder and decoder (timm, torchvision, huggingface_hub: a
heavy tree the tests do not need), so requirements-dev.txt installs the package with ``--no-deps`` and this module
imports its ``losses`` subpackage alone, which needs only torch.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

PACKAGE = "segmentation_models_pytorch"


def smp_losses() -> types.ModuleType:
    """``segmentation_models_pytorch.losses`` (version 0.6.0), its parent package left unexecuted."""
    if PACKAGE not in sys.modules:
        spec = importlib.util.find_spec(PACKAGE)
        if spec is None or spec.submodule_search_locations is None:
            raise ImportError(f"{PACKAGE} is not installed (see requirements-dev.txt)")
        parent = types.ModuleType(PACKAGE)
        parent.__path__ = list(spec.submodule_search_locations)
        sys.modules[PACKAGE] = parent
    losses = importlib.import_module(f"{PACKAGE}.losses")
    from importlib.metadata import version

    assert version(PACKAGE) == "0.6.0", version(PACKAGE)
    return losses
