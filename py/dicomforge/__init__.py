"""dicomforge: DICOM volume export, overlay planes and window/level preview.

The package needs only pydicom and the standard library; numpy is used through
:mod:`dicomforge.kernels` when it is importable. It knows nothing of browsers:
the same code runs under CPython (CLI, tests, native benchmark) and Pyodide.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
