"""The editable knowledge base: loading, validation, hot reload and opening hours."""

from bot.kb.loader import KnowledgeBaseError, load_knowledge_base
from bot.kb.models import KnowledgeBase
from bot.kb.store import KnowledgeBaseStore, default_store

__all__ = [
    "KnowledgeBase",
    "KnowledgeBaseError",
    "KnowledgeBaseStore",
    "default_store",
    "load_knowledge_base",
]
