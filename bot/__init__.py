"""Alver innbyggjarbot: the project's own Python package.

Holds what the Rasa server and the action server share: the knowledge base
(``bot.kb``), language detection and message texts (``bot.language``,
``bot.messages``), and custom Rasa NLU components (``bot.nlu``).
"""
