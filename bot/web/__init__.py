"""Web layer of the chat: HTTP helpers, auth, CORS, views, state, start-up and jobs.

* :mod:`bot.web.app` creates the shared state at server start and runs the background jobs;
* :mod:`bot.web.auth` - the staff and citizen route decorators;
* :mod:`bot.web.http` - routes, the one long-poll loop and the one error mapping;
* :mod:`bot.web.cors` - CORS of the citizen API (``WIDGET_ALLOWED_ORIGINS``);
* :mod:`bot.web.views`, :mod:`bot.web.console_views` - read-only JSON views;
* :mod:`bot.web.rasa_turn`, :mod:`bot.web.trackers` - Rasa's replies and trackers.

The HTTP routes themselves are Rasa input channels in :mod:`bot.channels`; every handoff
change goes through :class:`bot.handoff.service.HandoffService`.
"""
