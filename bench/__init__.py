"""``make bench``: the bot's speed on the citizen's path, measured against stock Rasa.

Run ``python -m bench --help``. See :mod:`bench.__main__` for what is measured.
"""
