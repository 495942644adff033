"""`python -m autograd_engine ...` is the `autograd-engine` command."""

import sys

from .cli import main

sys.exit(main())
