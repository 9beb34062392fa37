"""Imported first by the processes that need no TensorFlow (the action server, the staff pages).

spaCy's thinc imports TensorFlow whenever it is installed (Rasa's dialogue engine needs it),
which costs about 8 s of CPU at every start and restart of each process. A None entry in
`sys.modules` makes that import fail, as Python documents, and thinc goes on without it.
"""

import sys

sys.modules.setdefault("tensorflow", None)  # type: ignore[arg-type]
