"""Small, tested changes to Rasa 3.6.21 (the final release); see :mod:`bot.rasa.speedups`."""
