"""`python -m cpassess`: the command line without the desktop app."""

import sys

from cpassess.cli import main

sys.exit(main())
