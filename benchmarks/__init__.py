"""Side-by-side speed of autograd_engine against hand-written numpy, PyTorch and micrograd.

Run `python -m benchmarks.run` (or `make bench`); `--quick` is a smoke test of a few seconds.

Importing this package pins every BLAS library to one thread. That must happen before numpy
is first imported, which is why it lives here and not in the script: every contender then
does its matrix products on one core, so the comparison measures the libraries, not how many
cores each one grabbed.
"""

import os
import sys
import warnings

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

if "numpy" in sys.modules:
    warnings.warn("benchmarks: numpy was imported before the benchmarks package, so its BLAS "
                  "may use several threads; run `python -m benchmarks.run` in a fresh process",
                  RuntimeWarning, stacklevel=2)
