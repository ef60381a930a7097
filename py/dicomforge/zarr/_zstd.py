"""zstd: the standard library's ``compression.zstd`` (Python 3.14, hence Pyodide), else its backport
(``backports.zstd``, the same API, a dependency of this package on older Pythons)."""

try:
    from compression import zstd
except ImportError:  # pragma: no cover - depends on the Python version
    from backports import zstd

__all__ = ["zstd"]
