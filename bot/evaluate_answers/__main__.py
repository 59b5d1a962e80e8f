"""``python -m bot.evaluate_answers``: see :mod:`bot.evaluate_answers.runner`."""

import sys

from bot.evaluate_answers.runner import main

sys.exit(main())
