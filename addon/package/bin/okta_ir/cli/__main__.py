"""`python -m okta_ir.cli`."""

import sys

from okta_ir.cli import main

sys.exit(main())
