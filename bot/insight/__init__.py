"""Insight (issue 9): what citizens ask, the unanswered inbox, ratings and the report.

Modules: :mod:`.facts` (one conversation's facts, without text), :mod:`.figures`
(the report's figures from many facts), :mod:`.inbox` (grouping unanswered
messages), :mod:`.faq_port` (turning a group into an FAQ phrasing or entry),
:mod:`.charts` and :mod:`.html` (the report's files), :mod:`.web` (console views).
"""
