"""Let the engine split rows across threads, with BLAS held to one thread.

The engine imports NumPy alone, so the applications (the window and the command
line) hand it threadpoolctl's limiter. OpenBLAS's own second thread spins while
small matrix products mix with elementwise work, slowing fits down and taking
the core the GUI needs; one BLAS thread per worker thread avoids both.
"""

from __future__ import annotations

import engine


def register_blas_limiter() -> bool:
    """Register threadpoolctl's BLAS limit with the engine; False when it is missing."""
    try:
        import threadpoolctl
    except ImportError:
        return False
    controller = threadpoolctl.ThreadpoolController()
    engine.set_blas_limiter(lambda: controller.limit(limits=1, user_api="blas"))
    return True
