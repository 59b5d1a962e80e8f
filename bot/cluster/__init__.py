"""Running on several machines: state shared through Redis when ``REDIS_URL`` is set.

* :mod:`bot.cluster.config`: reads ``REDIS_URL`` (unset: everything stays in-process);
* :mod:`bot.cluster.notify`: long-poll wake-ups across instances (Redis pub/sub);
* :mod:`bot.cluster.ratelimit`: rate limits counted in Redis, shared by all instances;
* :mod:`bot.cluster.lock_store`: Rasa's per-conversation lock in Redis (``endpoints.yml``).

The handoff data and Rasa's trackers are shared through the SQL database
(``HANDOFF_DATABASE_URL``, ``RASA_TRACKER_STORE_URL``), not here.
"""
