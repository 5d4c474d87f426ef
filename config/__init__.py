"""The project's configuration package: imported first by manage.py, daphne and the tests."""

import os

# One BLAS thread (before NumPy is imported): the sentence model's matrix products
# (pitches/sentences.py) ran 5-15 times slower with OpenBLAS's two threads spinning against a
# busy server on two cores, and a server stopped while they worked never exited (OpenBLAS's
# exit handler waited on its busy thread). A deployment may set another value.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
