import sys

from perfile_core.cli import main

sys.exit(main())
